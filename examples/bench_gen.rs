//! Generates a realistic metric catalogue for benchmarks: `bench_gen toml|json N OUT`.
//!
//! Metrics cycle through tiers, units, directions and framework references, with a few
//! findings sprinkled in (a manual source every 50th, a noncanonical reference every
//! 100th), so the benchmark exercises reporting as well as parsing.

use std::fmt::Write as _;
use std::io::Write as _;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, format, n, out] = &args[..] else {
        eprintln!("usage: bench_gen toml|json N OUT");
        std::process::exit(2);
    };
    let n: usize = n.parse().expect("N is a number");
    let refs = [
        "NHI7:2025",
        "GV.OV-01",
        "GOVERN 1.5",
        "NHI2:2025",
        "GV.RM-01",
        "PR.AA-01",
    ];
    let units = [
        ("percent", "higher_is_better", 95, 90, 80),
        ("hours", "lower_is_better", 4, 8, 24),
    ];
    let mut s = String::with_capacity(n * 400);
    let json = format == "json";
    if json {
        s.push_str("{\"catalogue\": {\"id\": \"bench\", \"owner\": \"platform@example.com\"},\n\"metric\": [\n");
    } else {
        s.push_str("[catalogue]\nid = \"bench\"\nowner = \"platform@example.com\"\n\n");
    }
    for i in 0..n {
        let (unit, dir, t, w, c) = units[i % 2];
        let tier = if i % 3 == 0 { "okr" } else { "tactical" };
        let source = if i % 50 == 0 { "manual" } else { "automated" };
        let r1 = if i % 100 == 0 {
            "NHI-07"
        } else {
            refs[i % refs.len()]
        };
        let r2 = refs[(i + 1) % refs.len()];
        let id = format!("metric-{i:06}");
        let name = format!("Identity control health measure {i}");
        // One metric in ten carries a description; the file is about 35 MB for 100,000.
        let desc = if i % 10 == 0 {
            "Share of NHIs meeting the control, from the system of record"
        } else {
            ""
        };
        let desc_json = if desc.is_empty() {
            String::new()
        } else {
            format!("\"description\": \"{desc}\", ")
        };
        let desc_toml = if desc.is_empty() {
            String::new()
        } else {
            format!("description = \"{desc}\"\n")
        };
        if json {
            let okr = if tier == "okr" {
                ", \"okr\": {\"objective\": \"Raise coverage\", \"baseline\": 40, \"target\": 90, \"due\": \"2027-06-30\"}"
            } else {
                ""
            };
            let _ = writeln!(
                s,
                "{{\"id\": \"{id}\", \"name\": \"{name}\", {desc_json}\"tier\": \"{tier}\", \"category\": \"identity_access\", \"unit\": \"{unit}\", \"direction\": \"{dir}\", \"owner\": \"team-{}@example.com\", \"cadence\": \"monthly\", \"source\": \"{source}\", \"visibility\": \"team\", \"frameworks\": [\"{r1}\", \"{r2}\"], \"thresholds\": {{\"target\": {t}, \"warn\": {w}, \"critical\": {c}}}{okr}}}{}",
                i % 40,
                if i + 1 < n { "," } else { "" }
            );
        } else {
            let _ = write!(
                s,
                "[[metric]]\nid = \"{id}\"\nname = \"{name}\"\n{desc_toml}tier = \"{tier}\"\ncategory = \"identity_access\"\nunit = \"{unit}\"\ndirection = \"{dir}\"\nowner = \"team-{}@example.com\"\ncadence = \"monthly\"\nsource = \"{source}\"\nvisibility = \"team\"\nframeworks = [\"{r1}\", \"{r2}\"]\nthresholds = {{ target = {t}, warn = {w}, critical = {c} }}\n",
                i % 40
            );
            if tier == "okr" {
                s.push_str("okr = { objective = \"Raise coverage\", baseline = 40, target = 90, due = 2027-06-30 }\n");
            }
            s.push('\n');
        }
    }
    if json {
        s.push_str("]}\n");
    }
    std::fs::File::create(out)
        .and_then(|mut f| f.write_all(s.as_bytes()))
        .expect("write output");
}
