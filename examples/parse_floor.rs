//! The benchmark's floor: read a file and parse it with the toml crate (into a
//! `toml::Table`) or `serde_json` (into a `serde_json::Value`), nothing else.

fn main() {
    let path = std::env::args().nth(1).expect("usage: parse_floor FILE");
    let text = std::fs::read_to_string(&path).expect("read");
    let n = if std::path::Path::new(&path)
        .extension()
        .is_some_and(|x| x.eq_ignore_ascii_case("json"))
    {
        let v: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        v["metric"].as_array().map_or(0, Vec::len)
    } else {
        let t: toml::Table = toml::from_str(&text).expect("valid TOML");
        t.get("metric")
            .and_then(|m| m.as_array())
            .map_or(0, Vec::len)
    };
    println!("{n}");
}
