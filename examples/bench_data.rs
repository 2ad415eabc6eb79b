//! Data benchmark helpers.
//!
//! `bench_data gen ROWS SERIES OUT.csv POLICY.toml CATALOGUE.toml` writes a CSV of ROWS rows
//! over SERIES series (monthly periods, about 40 bytes a row) plus a policy and catalogue
//! that define its metrics; `bench_data read FILE.csv` is the floor: the csv crate reading
//! every row (`ByteRecord`, no processing).

use std::io::{BufWriter, Write};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("gen") => generate(&args[2..]),
        Some("read") => {
            let mut rdr = csv::Reader::from_path(&args[2]).expect("open");
            let mut record = csv::ByteRecord::new();
            let mut n = 0u64;
            while rdr.read_byte_record(&mut record).expect("read") {
                n += record.len() as u64;
            }
            println!("{n}");
        }
        _ => {
            eprintln!(
                "usage: bench_data gen ROWS SERIES OUT.csv POLICY.toml CATALOGUE.toml | read FILE.csv"
            );
            std::process::exit(2);
        }
    }
}

fn generate(args: &[String]) {
    let rows: u64 = args[0].parse().expect("ROWS");
    let series: u64 = args[1].parse().expect("SERIES");
    let metrics = 100u64;
    let scopes = series / metrics;
    let mut out = BufWriter::new(std::fs::File::create(&args[2]).expect("create csv"));
    writeln!(out, "metric,period,value,scope,source").unwrap();
    let periods = rows / series;
    for p in 0..periods {
        let (year, month) = (
            2026 - i64::try_from(periods - 1 - p).unwrap() / 12,
            1 + (periods - 1 - p) % 12,
        );
        let month = 12 - month + 1;
        for s in 0..series {
            let m = s % metrics;
            let scope = s / metrics;
            #[allow(clippy::cast_precision_loss)] // below 200: exact
            let value = 80.0 + ((s * 7 + p * 3) % 200) as f64 / 10.0;
            let source = if s % 97 == 0 { "manual" } else { "automated" };
            writeln!(
                out,
                "metric-{m:03},{year}-{month:02},{value:.1},team-{scope:04},{source}"
            )
            .unwrap();
        }
    }
    out.flush().unwrap();
    let _ = scopes;
    std::fs::write(
        &args[3],
        "[policy]\nid = \"bench\"\n[[category]]\nid = \"identity_access\"\nowner = \"iam@example.com\"\n",
    )
    .unwrap();
    let mut cat = String::from("[catalogue]\nid = \"bench\"\nowner = \"x@example.com\"\n");
    for m in 0..metrics {
        cat.push_str(&format!(
            "\n[[metric]]\nid = \"metric-{m:03}\"\nname = \"Metric {m}\"\ntier = \"tactical\"\ncategory = \"identity_access\"\nunit = \"percent\"\ndirection = \"higher_is_better\"\nowner = \"x@example.com\"\ncadence = \"monthly\"\nsource = \"automated\"\nframeworks = [\"NHI7:2025\"]\nthresholds = {{ target = 95, warn = 90, critical = 80 }}\n"
        ));
    }
    std::fs::write(&args[4], cat).unwrap();
}
