//! Reading data files into the [`Table`]: CSV (split between two threads when large) and
//! NDJSON, streaming.

use super::data::{Column, Fault};
use super::series::{RowValue, Table};
use crate::source::FileId;
use std::io::{BufRead, BufReader};
use std::path::Path;

impl Table<'_> {
    /// Reads a CSV file, streaming. A large file is read by two threads from its middle
    /// line on; see [`Table::read_split`].
    pub(super) fn read_csv(&mut self, path: &Path, file: FileId) {
        self.read_csv_split_above(path, file, SPLIT_ABOVE);
    }

    /// Reads a CSV file, split between two threads above `split_above` bytes of records;
    /// returns whether it was.
    pub(super) fn read_csv_split_above(
        &mut self,
        path: &Path,
        file: FileId,
        split_above: u64,
    ) -> bool {
        let delimiter = match first_line(path) {
            Ok(line) => sniff(&line),
            Err(e) => {
                self.fault(file, 1, Fault::Unreadable(e.to_string()));
                return false;
            }
        };
        let mut rdr = match reader(delimiter).from_path(path) {
            Ok(r) => r,
            Err(e) => {
                self.fault(file, 1, Fault::Unreadable(e.to_string()));
                return false;
            }
        };
        let headers = match rdr.byte_headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                self.fault(file, 1, Fault::UnreadableHeader(e.to_string()));
                return false;
            }
        };
        let header_end = rdr.position().byte();
        drop(rdr);
        let Some(cols) = self.columns(&headers, file, delimiter) else {
            return false;
        };
        let size = std::fs::metadata(path).map_or(0, |m| m.len());
        let split = (size.saturating_sub(header_end) > split_above
            && rayon::current_num_threads() > 1)
            .then(|| line_after(path, header_end + (size - header_end) / 2))
            .flatten();
        if let Some(at) = split {
            self.read_split(path, file, header_end, at, &cols)
        } else {
            self.read_range(path, file, header_end, None, &cols);
            false
        }
    }

    /// Reads CSV text held in memory (for fuzzing and tests): as a file, without a split.
    pub(super) fn read_csv_text(&mut self, text: &[u8], file: FileId) {
        let delimiter = sniff(text.split(|&b| b == b'\n').next().unwrap_or_default());
        let mut rdr = reader(delimiter).from_reader(text);
        let headers = match rdr.byte_headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                return self.fault(file, 1, Fault::UnreadableHeader(e.to_string()));
            }
        };
        let header_end = rdr.position().byte();
        drop(rdr);
        let Some(cols) = self.columns(&headers, file, delimiter) else {
            return;
        };
        let rest = &text[usize::try_from(header_end)
            .unwrap_or(text.len())
            .min(text.len())..];
        let rdr = reader(delimiter).has_headers(false).from_reader(rest);
        self.read_records(rdr, None, file, header_end, None, 1, &cols);
    }

    /// The columns a header names, or a fault naming the ones it lacks.
    fn columns(
        &mut self,
        headers: &csv::ByteRecord,
        file: FileId,
        delimiter: u8,
    ) -> Option<Columns> {
        let col = |name: &str| {
            headers
                .iter()
                .position(|h| h.trim_ascii().eq_ignore_ascii_case(name.as_bytes()))
        };
        let mut missing = Vec::new();
        let (metric, period) = (col("metric"), col("period"));
        let (value, numer, denom) = (col("value"), col("numerator"), col("denominator"));
        if metric.is_none() {
            missing.push("`metric`");
        }
        if period.is_none() {
            missing.push("`period`");
        }
        if value.is_none() && (numer.is_none() || denom.is_none()) {
            missing.push("`value` (or `numerator` and `denominator`)");
        }
        let (Some(metric), Some(period), true) = (metric, period, missing.is_empty()) else {
            self.fault(file, 1, Fault::HeaderLacks(missing));
            return None;
        };
        Some(Columns {
            metric,
            period,
            value,
            numer,
            denom,
            scope: col("scope"),
            source: col("source"),
            delimiter,
        })
    }

    /// Reads a CSV file on two threads: this one from `start`, a fork from `at`, the
    /// start of a line near the middle. Whether `at` starts a record is known only once
    /// this thread gets there (a quoted field may hold a line break): if it does, the
    /// fork's lines are renumbered and its state merged; if not, this thread reads on to
    /// the end and the fork's work is dropped, so the result is always a sequential
    /// read's. A fork that meets as many series as its cap
    /// ([`FORK_SERIES`](super::series::FORK_SERIES)) stops at a record boundary, and this
    /// thread, once it has merged the fork's part, reads on from there: the fork's table
    /// stays small, whatever the file. Returns whether the split held.
    fn read_split(
        &mut self,
        path: &Path,
        file: FileId,
        start: u64,
        at: u64,
        cols: &Columns,
    ) -> bool {
        let mut fork = self.fork();
        let mut first_half = None;
        std::thread::scope(|s| {
            let rest = s.spawn(|| {
                fork.read_from(path, file, at, None, 0, cols);
            });
            first_half = self.read_range(path, file, start, Some(at), cols);
            // A panic is a bug: never merge half a read as if it were whole.
            if let Err(panic) = rest.join() {
                std::panic::resume_unwind(panic);
            }
        });
        let Some(lines_before) = first_half else {
            return false;
        };
        let stopped = fork.stopped.take();
        fork.shift_lines(lines_before);
        self.merge(fork);
        if let Some((byte, lines)) = stopped {
            self.read_on_from = Some(lines_before + lines + 1);
            self.read_from(path, file, byte, None, lines_before + lines, cols);
        }
        true
    }

    /// Reads the records of a CSV file after its header, from byte `start` (the header's
    /// end) to the end of the file, or only to `stop` if a record ends there; returns the
    /// number of lines before `stop` when it stopped there.
    fn read_range(
        &mut self,
        path: &Path,
        file: FileId,
        start: u64,
        stop: Option<u64>,
        cols: &Columns,
    ) -> Option<u64> {
        self.read_from(path, file, start, stop, 1, cols)
    }

    /// Reads records from byte `start`, numbering lines from `base + 1`; see
    /// [`Table::read_range`].
    fn read_from(
        &mut self,
        path: &Path,
        file: FileId,
        start: u64,
        stop: Option<u64>,
        base: u64,
        cols: &Columns,
    ) -> Option<u64> {
        use std::io::{Seek, SeekFrom};
        let mut f = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) => {
                self.fault(file, base + 1, Fault::Unreadable(e.to_string()));
                return None;
            }
        };
        if let Err(e) = f.seek(SeekFrom::Start(start)) {
            self.fault(file, base + 1, Fault::Unreadable(e.to_string()));
            return None;
        }
        let rdr = reader(cols.delimiter)
            .has_headers(false)
            .from_reader(BufReader::with_capacity(1 << 16, f));
        self.read_records(rdr, Some(path), file, start, stop, base, cols)
    }

    /// Reads the records of `rdr`, which starts at byte `start` of a file (of `path`, when
    /// the records come from one and a split point `stop` must be confirmed in it).
    #[allow(clippy::too_many_arguments)]
    fn read_records<R: std::io::Read>(
        &mut self,
        mut rdr: csv::Reader<R>,
        path: Option<&Path>,
        file: FileId,
        start: u64,
        mut stop: Option<u64>,
        base: u64,
        cols: &Columns,
    ) -> Option<u64> {
        let mut record = csv::ByteRecord::new();
        // Spreadsheet exports write numbers by their delimiter (see `number::number_text`).
        self.delimiter = cols.delimiter;
        loop {
            if self.series_len() >= self.series_cap {
                // A fork at its cap: the thread that started it reads on from here.
                let pos = rdr.position();
                self.stopped = Some((start + pos.byte(), base + pos.line() - 1));
                return None;
            }
            if let Some(at) = stop {
                let pos = rdr.position();
                let here = start + pos.byte();
                match here.cmp(&at) {
                    // A CRLF record ends at its `\r`: only line breaks (`\n`, or blank
                    // lines) between here and `at` still make `at` a record boundary.
                    std::cmp::Ordering::Less if at - here <= 8 => {
                        if let Some(breaks) = path.and_then(|p| only_line_breaks(p, here, at)) {
                            return Some(base + pos.line() - 1 + breaks);
                        }
                    }
                    std::cmp::Ordering::Less => {}
                    // `pos.line()` is the 1-based line of the next record.
                    std::cmp::Ordering::Equal => return Some(base + pos.line() - 1),
                    std::cmp::Ordering::Greater => stop = None,
                }
            }
            match rdr.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    let line = base + e.position().map_or(0, csv::Position::line);
                    self.fault(file, line, Fault::UnreadableRow(e.to_string()));
                    if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                        break;
                    }
                    continue;
                }
            }
            let line = base + record.position().map_or(0, csv::Position::line);
            let field = |i: Option<usize>| i.and_then(|i| record.get(i)).map(<[u8]>::trim_ascii);
            let (Some(m), Some(p)) = (field(Some(cols.metric)), field(Some(cols.period))) else {
                self.fault(file, line, Fault::NoMetricOrPeriod);
                continue;
            };
            let v = match (field(cols.value), field(cols.numer), field(cols.denom)) {
                (Some(v), _, _) if !v.is_empty() => RowValue::Value(v),
                (_, Some(n), Some(d)) if !n.is_empty() => RowValue::Ratio(n, d),
                _ => RowValue::Missing,
            };
            let sc = field(cols.scope).unwrap_or_default();
            let so = field(cols.source).unwrap_or_default();
            let faults = self.faults.len();
            self.row(file, line, m, p, v, sc, so);
            if self.faults.len() > faults {
                self.place_csv_fault(&record, cols);
            }
        }
        None
    }

    /// Reads an NDJSON file (one JSON object per line), streaming.
    pub(super) fn read_ndjson(&mut self, path: &Path, file: FileId) {
        match std::fs::File::open(path) {
            Ok(f) => self.read_ndjson_from(BufReader::with_capacity(1 << 16, f), file),
            Err(e) => self.fault(file, 1, Fault::Unreadable(e.to_string())),
        }
    }

    /// Reads NDJSON rows from `reader`.
    pub(super) fn read_ndjson_from(&mut self, mut reader: impl BufRead, file: FileId) {
        use serde_json::value::RawValue;
        use std::borrow::Cow;
        /// A row. Like a CSV file's extra columns, other keys are ignored; numbers may
        /// be written as JSON numbers or as strings.
        #[derive(serde::Deserialize)]
        struct Row<'r> {
            #[serde(borrow)]
            metric: Cow<'r, str>,
            #[serde(borrow)]
            period: Cow<'r, str>,
            #[serde(borrow, default)]
            value: Option<&'r RawValue>,
            #[serde(borrow, default)]
            numerator: Option<&'r RawValue>,
            #[serde(borrow, default)]
            denominator: Option<&'r RawValue>,
            #[serde(borrow, default)]
            scope: Option<Cow<'r, str>>,
            #[serde(borrow, default)]
            source: Option<Cow<'r, str>>,
        }
        /// A number's text: a JSON number as written, or a string's contents.
        fn number_text(raw: &RawValue) -> Cow<'_, str> {
            let text = raw.get();
            if text.starts_with('"') {
                serde_json::from_str::<Cow<'_, str>>(text).unwrap_or(Cow::Borrowed(text))
            } else {
                Cow::Borrowed(text)
            }
        }
        self.delimiter = b',';
        let mut buf = Vec::new();
        let mut line = 0u64;
        loop {
            buf.clear();
            match reader.read_until(b'\n', &mut buf) {
                Ok(0) => break,
                Ok(_) => line += 1,
                Err(e) => return self.fault(file, line + 1, Fault::Unreadable(e.to_string())),
            }
            let text = buf.trim_ascii();
            if text.is_empty() {
                continue;
            }
            let row: Row<'_> = match serde_json::from_slice(text) {
                Ok(r) => r,
                Err(e) => {
                    // serde_json counts lines within the row; the row is one line.
                    let message = e.to_string();
                    let message = message
                        .rfind(" at line ")
                        .map_or(message.as_str(), |at| &message[..at]);
                    let fault = Fault::NotARow(message.to_owned());
                    let faults = self.faults.len();
                    self.fault(file, line, fault);
                    // serde_json's column counts bytes of the trimmed row; a location counts
                    // characters of the line.
                    let lead = buf.len() - buf.trim_ascii_start().len();
                    let at = (lead + e.column().max(1) - 1).min(buf.len());
                    let chars = String::from_utf8_lossy(&buf[..at]).chars().count();
                    if self.faults.len() > faults
                        && let Some(f) = self.faults.last_mut()
                        && let Ok(col) = u32::try_from(chars + 1)
                    {
                        f.columns = Some((col, col + 1));
                    }
                    continue;
                }
            };
            let (value, numerator, denominator) = (
                row.value.map(number_text),
                row.numerator.map(number_text),
                row.denominator.map(number_text),
            );
            let v = match (&value, &numerator, &denominator) {
                (Some(v), _, _) => RowValue::Value(v.as_bytes()),
                (None, Some(n), Some(d)) => RowValue::Ratio(n.as_bytes(), d.as_bytes()),
                _ => RowValue::Missing,
            };
            let faults = self.faults.len();
            self.row(
                file,
                line,
                row.metric.as_bytes(),
                row.period.as_bytes(),
                v,
                row.scope.as_deref().unwrap_or("").as_bytes(),
                row.source.as_deref().unwrap_or("").as_bytes(),
            );
            if self.faults.len() > faults
                && let Some(f) = self.faults.last_mut()
            {
                let key = f.fault.column().map(|c| match c {
                    Column::Value if value.is_none() => Column::Numerator.name(),
                    c => c.name(),
                });
                f.columns = key.and_then(|k| json_value_columns(&buf, k));
            }
        }
    }

    /// Points the fault just raised for `record` at the field it is about.
    #[cold]
    fn place_csv_fault(&mut self, record: &csv::ByteRecord, cols: &Columns) {
        let Some(f) = self.faults.last_mut() else {
            return;
        };
        let index = f.fault.column().and_then(|c| match c {
            Column::Metric => Some(cols.metric),
            Column::Period => Some(cols.period),
            Column::Value => cols.value.or(cols.numer),
            Column::Numerator => cols.numer,
            Column::Denominator => cols.denom,
        });
        f.columns = index.and_then(|i| field_columns(record, i, cols.delimiter));
    }
}

/// The 1-based columns of field `i` of `record` within its line, as spreadsheets and most
/// exporters write CSV: a field is quoted only when it holds the delimiter, a quote or a
/// line break, with its quotes doubled. (The csv crate keeps no raw text; a writer that
/// quotes every field shifts the columns by two per field before it.)
fn field_columns(record: &csv::ByteRecord, i: usize, delimiter: u8) -> Option<(u32, u32)> {
    let width = |f: &[u8]| {
        let f = f.strip_suffix(b"\r").unwrap_or(f);
        let chars = String::from_utf8_lossy(f).chars().count();
        let (quoted, quotes) = f.iter().fold((false, 0), |(quoted, quotes), &b| {
            (
                quoted || b == delimiter || b == b'"' || b == b'\n',
                quotes + usize::from(b == b'"'),
            )
        });
        if quoted { chars + 2 + quotes } else { chars }
    };
    let mut start = 1;
    for j in 0..i {
        start += width(record.get(j)?) + 1;
    }
    let end = start + width(record.get(i)?).max(1);
    Some((u32::try_from(start).ok()?, u32::try_from(end).ok()?))
}

/// The 1-based columns of the value of `key` in an NDJSON line (the first `"key":`).
fn json_value_columns(line: &[u8], key: &str) -> Option<(u32, u32)> {
    let quoted = format!("\"{key}\"");
    let at = line
        .windows(quoted.len())
        .position(|w| w == quoted.as_bytes())?;
    let mut i = at + quoted.len();
    let skip_space = |i: &mut usize| {
        while line.get(*i).is_some_and(u8::is_ascii_whitespace) {
            *i += 1;
        }
    };
    skip_space(&mut i);
    if line.get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    skip_space(&mut i);
    let start = i;
    if line.get(i) == Some(&b'"') {
        i += 1;
        while let Some(&b) = line.get(i) {
            i += 1;
            match b {
                b'\\' => i += 1,
                b'"' => break,
                _ => {}
            }
        }
    } else {
        while line
            .get(i)
            .is_some_and(|&b| !matches!(b, b',' | b'}' | b']') && !b.is_ascii_whitespace())
        {
            i += 1;
        }
    }
    let col = |b: usize| {
        let chars = String::from_utf8_lossy(&line[..b.min(line.len())])
            .chars()
            .count();
        u32::try_from(chars + 1).ok()
    };
    Some((col(start)?, col(i.max(start + 1))?))
}

/// How data files are read. Records end at `\n` only: with the csv crate's CRLF mode,
/// lines ending in `\r\n` are counted one late, so a file mixing both endings reported
/// rows at the wrong line. A `\r` before the `\n` is trimmed with the rest of a field's
/// whitespace.
fn reader(delimiter: u8) -> csv::ReaderBuilder {
    let mut b = csv::ReaderBuilder::new();
    b.flexible(true).terminator(csv::Terminator::Any(b'\n'));
    // Only when it is not the default, so that a plain CSV file is read exactly as
    // before spreadsheet exports were (a two-threaded read measured noisily slower with
    // it set; see the closing note of the session that added it).
    if delimiter != b',' {
        b.delimiter(delimiter);
    }
    b
}

/// The first line of a file, up to 64 KiB of it.
fn first_line(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut line = Vec::new();
    BufReader::new(std::fs::File::open(path)?.take(64 << 10)).read_until(b'\n', &mut line)?;
    Ok(line)
}

/// The delimiter a header line uses: `,`, or `;` or a tab when it has more of those
/// outside quotes (Excel and Sheets write `;` where the decimal mark is a comma).
fn sniff(header: &[u8]) -> u8 {
    let (mut quoted, mut counts) = (false, [0usize; 3]);
    for &b in header {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3)
        .max_by_key(|&i| (counts[i], usize::from(i == 0)))
        .unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        [b',', b';', b'\t'][best]
    }
}

/// Column positions of a CSV file.
struct Columns {
    metric: usize,
    period: usize,
    value: Option<usize>,
    numer: Option<usize>,
    denom: Option<usize>,
    scope: Option<usize>,
    /// `,`, `;` or a tab (see [`sniff`]).
    delimiter: u8,
    source: Option<usize>,
}

/// Files with more data than this are read by two threads.
const SPLIT_ABOVE: u64 = 32 << 20;

/// The start of the first line after byte `from`, if the file has one.
fn line_after(path: &Path, from: u64) -> Option<u64> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path).ok()?;
    f.seek(SeekFrom::Start(from)).ok()?;
    let mut buf = vec![0u8; 1 << 16];
    let mut pos = from;
    loop {
        let n = f.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        if let Some(i) = memchr::memchr(b'\n', &buf[..n]) {
            return Some(pos + i as u64 + 1);
        }
        pos += n as u64;
    }
}

/// The number of `\n` in bytes `from..to` of a file if those bytes are all `\r` or `\n`.
fn only_line_breaks(path: &Path, from: u64, to: u64) -> Option<u64> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path).ok()?;
    f.seek(SeekFrom::Start(from)).ok()?;
    let mut buf = vec![0u8; usize::try_from(to - from).ok()?];
    f.read_exact(&mut buf).ok()?;
    buf.iter()
        .all(|&b| b == b'\r' || b == b'\n')
        .then(|| memchr::memchr_iter(b'\n', &buf).count() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a read found: its faults, repeats and unknown metrics, and every window.
    type Read = (Vec<String>, Vec<String>);

    /// Reads `csv` sequentially and split between two threads; returns both reads and
    /// whether the split held.
    fn read_both_ways(csv: &str) -> (Read, Read, bool) {
        let (seq, split, held, _) = read_both_ways_capped(csv, super::super::series::FORK_SERIES);
        (seq, split, held)
    }

    /// [`read_both_ways`] with a fork that stops past `fork_series` series; also returns
    /// the line from which the first thread read on, if the fork stopped.
    fn read_both_ways_capped(csv: &str, fork_series: usize) -> (Read, Read, bool, Option<u64>) {
        let catalogue = "[catalogue]\nid = \"c\"\n[[metric]]\nid = \"m\"\nunit = \"percent\"\ndirection = \"higher_is_better\"\n[[metric]]\nid = \"n\"\nunit = \"count\"\n";
        let inputs = crate::analyze::testing::Inputs::new(None, catalogue);
        let ctx = inputs.ctx();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data.csv");
        std::fs::write(&path, csv).unwrap();
        let read = |split_above| {
            let mut table = Table::new(&ctx);
            table.fork_series = fork_series;
            let split = table.read_csv_split_above(&path, FileId(2), split_above);
            let read_on = table.read_on_from;
            let facts = table.finish(15);
            let mut found: Vec<String> = facts
                .faults
                .iter()
                .map(|f| format!("fault {} {:?}", f.line, f.fault))
                .chain(
                    facts
                        .repeats
                        .iter()
                        .map(|r| format!("repeat {} {} x{}", r.first.1, r.period, r.count)),
                )
                .chain(
                    facts
                        .unknown
                        .iter()
                        .map(|u| format!("unknown {} {} x{}", u.line, u.id, u.rows)),
                )
                .chain([format!("unknown others x{}", facts.unknown_other)])
                .collect();
            found.sort();
            let mut windows: Vec<String> = facts
                .series()
                .map(|s| {
                    let values: Vec<(f64, u32)> = s
                        .points
                        .iter()
                        .map(|p| (p.value().value(), p.line))
                        .collect();
                    format!("{} {} {values:?}", s.metric.id, s.scope)
                })
                .collect();
            windows.sort();
            ((found, windows), split, read_on)
        };
        let (sequential, _, _) = read(u64::MAX);
        let (split, held, read_on) = read(0);
        (sequential, split, held, read_on)
    }

    /// Whether this machine splits at all (a one-core machine reads sequentially).
    fn splits() -> bool {
        rayon::current_num_threads() > 1
    }

    #[test]
    fn a_split_read_equals_a_sequential_one() {
        // 40 periods x 3 series, a duplicate in the second half of a series first seen in
        // the first half, bad rows in both halves.
        let mut rows = vec!["metric,period,value,scope".to_owned()];
        for p in 0..40 {
            let period = format!("{}-{:02}", 2023 + p / 12, p % 12 + 1);
            for scope in ["a", "b"] {
                rows.push(format!("m,{period},{}.5,{scope}", 90 - p % 7));
            }
            rows.push(format!("n,{period},{},", p * 2));
        }
        rows.insert(7, "m,2023-13,1,a".to_owned());
        rows.push("m,2025-12,91,a".to_owned());
        rows.push("m,2026-01,x,b".to_owned());
        rows.push("unknown,2026-01,1,".to_owned());
        let lf = rows.join("\n") + "\n";
        let (seq, split, held) = read_both_ways(&lf);
        assert_eq!(seq, split);
        assert_eq!(held, splits(), "the split is taken on a line boundary");
        for expected in ["repeat 123", "fault 8 ", "fault 124 "] {
            assert!(
                seq.0.iter().any(|f| f.starts_with(expected)),
                "{expected}: {:#?}",
                seq.0
            );
        }

        // CRLF: a record ends at its `\r`, one byte before the split point.
        let crlf = rows.join("\r\n") + "\r\n";
        let (_, split, held) = read_both_ways(&crlf);
        assert_eq!(split, seq);
        assert_eq!(held, splits(), "a CRLF file is split too");

        // A quoted field holding a line break across the middle of the file: the split
        // point is not a record boundary; the first thread reads on.
        let mut quoted = rows.clone();
        let mid = quoted.len() / 2;
        for r in &mut quoted[mid - 3..mid + 3] {
            *r = r.replacen(",a", ",\"a\"", 1);
        }
        // The field is more than half the file, so the middle falls inside it.
        quoted[mid] = format!("m,2024-06,77,\"x\ny\nz\n\n{}\"", "q\n".repeat(4000));
        let text = quoted.join("\n") + "\n";
        let (seq, split, held) = read_both_ways(&text);
        assert_eq!(seq, split);
        assert!(!held, "a split inside a quoted field is dropped");
        assert!(
            seq.1.iter().any(|w| w.starts_with("m x\ny\nz")),
            "{:#?}",
            seq.1
        );
    }

    #[test]
    fn a_fork_past_its_series_cap_hands_the_rest_to_the_first_thread() {
        // 40 periods of 30 series; the fork may meet 4 of them: it stops a few rows into
        // the second half, and the first thread reads on from there, numbering lines on.
        let mut rows = vec!["metric,period,value,scope".to_owned()];
        for p in 0..40 {
            let period = format!("{}-{:02}", 2023 + p / 12, p % 12 + 1);
            for scope in 0..30 {
                rows.push(format!("m,{period},{}.5,s{scope}", 90 - (p + scope) % 7));
            }
        }
        rows.push("m,2026-01,x,s1".to_owned());
        rows.push("m,2026-13,1,s2".to_owned());
        let text = rows.join("\n") + "\n";
        let (seq, split, held, read_on) = read_both_ways_capped(&text, 4);
        assert_eq!(seq, split);
        assert_eq!(held, splits());
        if splits() {
            // The middle line is 602; the fork reads the rows of four series and stops.
            let read_on = read_on.expect("the fork stopped at its cap");
            assert!((603..=610).contains(&read_on), "{read_on}");
        }
        assert!(
            seq.0.iter().any(|f| f.starts_with("fault 1202 ")),
            "{:#?}",
            seq.0
        );
        assert!(
            seq.0.iter().any(|f| f.starts_with("fault 1203 ")),
            "{:#?}",
            seq.0
        );
        // Without the cap, the same file is split in two halves.
        let (_, _, held, read_on) = read_both_ways_capped(&text, usize::MAX);
        assert_eq!((held, read_on), (splits(), None));
    }

    #[test]
    fn the_first_thousand_unknown_ids_are_listed_however_the_file_is_cut() {
        // Ids repeat across the cut: `u2999` first appears in the first half, again in the
        // second; its rows are counted alike either way.
        let mut rows = vec!["metric,period,value,scope".to_owned()];
        rows.extend((0..3000).map(|i| format!("u{i:04},2024-01,1,")));
        rows.extend((0..3000).rev().map(|i| format!("u{i:04},2024-02,1,")));
        let (seq, split, held) = read_both_ways(&(rows.join("\n") + "\n"));
        assert_eq!(seq, split);
        assert_eq!(held, splits());
        let listed = seq.0.iter().filter(|f| f.contains(" u")).count();
        assert_eq!(listed, 1000);
        assert!(
            seq.0.contains(&"unknown 1001 u0999 x2".to_owned()),
            "{:?}",
            &seq.0[..3]
        );
        assert!(seq.0.contains(&"unknown others x4000".to_owned()));
    }

    #[test]
    fn repeated_periods_are_judged_on_the_final_window_however_the_file_is_cut() {
        // One series `m` (window 6), with rows of `n` in the middle so that the split falls
        // between the two groups of `m` rows (months of 2024).
        let file = |first: &[u32], second: &[u32]| {
            let m = |month: &u32| format!("m,2024-{month:02},90,");
            let mut rows = vec!["metric,period,value,scope".to_owned()];
            rows.extend(first.iter().map(m));
            rows.extend((1..=40).map(|i| format!("n,2020-{:02},{i},x{i:02}", i % 12 + 1)));
            rows.extend(second.iter().map(m));
            rows.join("\n") + "\n"
        };
        let cases: [(&[u32], &[u32], bool); 4] = [
            // Older than the whole window: never seen, on either side of the cut.
            (&[7, 8, 9, 10, 11, 12], &[1, 1], false),
            // Repeats a period the window had, but which has left it by the end.
            (&[1, 2, 3, 4, 5, 6], &[7, 8, 9, 10, 11, 5], false),
            (&[1, 2, 3, 4, 5, 6], &[5, 7, 8, 9, 10, 11, 12], false),
            // Repeats a period still in the final window: reported once, at the repeat.
            (&[7, 8, 9, 10, 11, 12], &[12, 12], true),
        ];
        for (first, second, reported) in cases {
            let (seq, split, _) = read_both_ways(&file(first, second));
            assert_eq!(seq, split, "{first:?} | {second:?}");
            let dups: Vec<&String> = seq.0.iter().filter(|f| f.starts_with("repeat")).collect();
            assert_eq!(
                !dups.is_empty(),
                reported,
                "{first:?} | {second:?}: {dups:#?}"
            );
        }
    }
}

#[cfg(test)]
mod spreadsheet {
    use super::{field_columns, json_value_columns, reader, sniff};

    #[test]
    fn the_header_says_the_delimiter() {
        assert_eq!(sniff(b"metric,period,value\n"), b',');
        assert_eq!(sniff(b"metric;period;value\r\n"), b';');
        assert_eq!(sniff(b"metric\tperiod\tvalue"), b'\t');
        assert_eq!(sniff(b"\"a;b\",period,value"), b',');
        assert_eq!(sniff(b"metric"), b',');
    }

    /// A malformed row points at the field at fault, in CSV (quoted fields counted with
    /// their quotes) and in NDJSON.
    #[test]
    fn a_fault_is_placed_at_its_field() {
        let mut rdr = reader(b';')
            .has_headers(false)
            .from_reader("rotation;\"a;b\";\"say \"\"hi\"\"\";12,x\r\n".as_bytes());
        let mut record = csv::ByteRecord::new();
        assert!(rdr.read_byte_record(&mut record).unwrap());
        assert_eq!(field_columns(&record, 0, b';'), Some((1, 9)));
        assert_eq!(field_columns(&record, 1, b';'), Some((10, 15)));
        assert_eq!(field_columns(&record, 2, b';'), Some((16, 28)));
        // The line break's `\r` is no part of the field.
        assert_eq!(field_columns(&record, 3, b';'), Some((29, 33)));
        assert_eq!(field_columns(&record, 4, b';'), None);

        let line = br#"  {"metric": "m", "period":"2026-05", "value" : "n/a", "x": 1}"#;
        assert_eq!(json_value_columns(line, "period"), Some((28, 37)));
        assert_eq!(json_value_columns(line, "value"), Some((49, 54)));
        assert_eq!(json_value_columns(line, "scope"), None);
        assert_eq!(
            json_value_columns(br#"{"value": 1.5e3}"#, "value"),
            Some((11, 16))
        );
    }
}
