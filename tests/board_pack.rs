//! `kpilint report --html`: the board pack, checked as text and in a real browser.
//!
//! The browser test renders the demo's pack with headless Chromium to PNG and PDF, logs
//! every network event Chromium sees, and checks that nothing but the file itself was
//! loaded, that no console message was an error, and that the PDF has the expected number
//! of pages. It needs `chromium` (or `chromium-browser`, `google-chrome`) on PATH; without
//! one it says so and passes, unless `KPILINT_BROWSER_TESTS=require` (as `.ci/run` sets),
//! when a missing browser fails it.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

const AS_OF: &str = "--as-of=2026-11-24";

/// Pages of the demo's pack printed by headless Chromium (Letter, landscape): each of the
/// seven sections starts a page; the board's cards, the categories' tables, the coverage
/// matrix and the findings run over. Measured with Chromium 148; the test allows one page
/// either way.
const DEMO_PAGES: usize = 12;

const SECTIONS: [&str; 7] = [
    "id=\"board\"",
    "id=\"okrs\"",
    "id=\"categories\"",
    "id=\"events\"",
    "id=\"coverage\"",
    "id=\"exceptions\"",
    "id=\"findings\"",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Writes the board pack of `paths` (run in `dir`) to `out` and returns its text.
fn pack(dir: &Path, paths: &[&str], out: &Path) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_kpilint"))
        .args(["report", "--html"])
        .arg(out)
        .arg(AS_OF)
        .args(paths)
        .current_dir(dir)
        .output()
        .expect("kpilint runs");
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::read_to_string(out).expect("the pack is written")
}

#[test]
fn the_demo_pack_is_self_contained_and_complete() {
    let dir = tempfile::tempdir().unwrap();
    let html = pack(root(), &["fixtures/demo"], &dir.path().join("pack.html"));
    for s in SECTIONS {
        assert!(html.contains(s), "{s}");
    }
    // Nothing to fetch: no script, no external reference, and a policy that forbids loads.
    assert!(!html.contains("<script"));
    assert!(!html.contains("http://") && !html.contains("https://"));
    assert!(!html.contains(" src="));
    assert!(html.contains("default-src 'none'"));
    // The board's KPIs by name, status in words, charts with a text alternative.
    assert!(html.contains("Privileged access with zero standing privilege"));
    assert!(html.contains("<span aria-hidden=\"true\">■</span> breach</span>"));
    assert!(html.contains("role=\"img\" aria-label=\"Privileged access with zero standing privilege over the last 6 periods: 72%, 71%, 70%, 66%, 61%, 58%; target 90%; warn 80%; critical 60%; decision 2026-06-01: Privileged NHI access is granted just in time, never held; technical change 2026-06-15: Wire service-account elevation through the PAM broker\""));
    // The decision and its technical event mark the charts of the KPI it should move.
    assert!(html.contains("<line class=\"event strategic\""));
    assert!(html.contains("<line class=\"event technical\""));
    assert!(html.contains("<h2>Identity events</h2>"));
    // A derived KPI says so, with its formula.
    assert!(html.contains(
        "Orphaned NHIs per hundred inventoried <span class=\"muted\" title=\"100 * orphaned-nhi-count / nhi-inventory-count\">(derived)</span>"
    ));
    assert!(html.contains("<span class=\"badge bad\">■ no decision</span>"));
    // OKR progress, control texts, the exceptions register, the footer.
    assert!(html.contains("76% of the way to target; 55% expected by now"));
    assert!(
        html.contains("Inventories of hardware managed by the organization are maintained")
            || html.contains("Identities and credentials for authorized users")
    );
    assert!(html.contains("Exceptions and data freshness"));
    assert!(html.contains("as of 2026-11-24"));
}

#[test]
fn a_metric_named_like_markup_is_text() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("c.toml"),
        "[catalogue]\nid = \"c\"\n[[metric]]\nid = \"m\"\nname = \"<script>alert(1)</script>\"\n\
         tier = \"board\"\nunit = \"percent\"\ndirection = \"higher_is_better\"\nowner = \"<b>o</b>\"\n\
         thresholds = { target = 90 }\n\
         [[metric]]\nid = \"k\"\nname = \"derived\"\ntier = \"board\"\nunit = \"percent\"\n\
         direction = \"higher_is_better\"\nthresholds = { target = 90 }\nformula = \"m * 1\"\n\
         [[metric]]\nid = \"x\"\ntier = \"tactical\"\nthresholds = { target = 1 }\n\
         formula = \"<em>m</em>\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("d.csv"),
        "metric,period,value,scope\nm,2026-09,80,\"<img src=x onerror=alert(1)>\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("e.toml"),
        "[register]\nid = \"r\"\n[[event]]\nid = \"e\"\nkind = \"strategic\"\n\
         title = \"<i>decided</i>\"\ndate = 2026-09-02\nstatus = \"done\"\nowner = \"<u>x</u>\"\n\
         moves = [\"m\"]\nevidence = [\"javascript:alert(1)\"]\n",
    )
    .unwrap();
    let html = pack(
        dir.path(),
        &["c.toml", "d.csv", "e.toml"],
        &dir.path().join("p.html"),
    );
    assert!(html.contains("&lt;i&gt;decided&lt;/i&gt;") && html.contains("&lt;u&gt;x&lt;/u&gt;"));
    assert!(!html.contains("<i>") && !html.contains("<u>") && !html.contains("javascript:"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(html.contains("&lt;b&gt;o&lt;/b&gt;"));
    assert!(!html.contains("<script") && !html.contains("<img") && !html.contains("<b>"));
    // A derived KPI's card shows its formula, and a formula is text too.
    assert!(html.contains("Derived: <code>m * 1</code>"));
    assert!(html.contains("&lt;em&gt;m&lt;/em&gt;") && !html.contains("<em>"));
}

/// The first browser on PATH, or why the browser test does not run.
fn browser() -> Option<PathBuf> {
    common::external_tool(
        &["chromium", "chromium-browser", "google-chrome"],
        "KPILINT_BROWSER_TESTS",
    )
}

/// Runs headless Chromium on `url` with `args`, logging network events to `net`; returns
/// its standard error.
fn chromium(browser: &Path, dir: &Path, args: &[String], url: &str) -> String {
    let o = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .args(args)
        .arg(url)
        .output()
        .expect("chromium runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn the_demo_pack_renders_in_a_real_browser() {
    let Some(browser) = browser() else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pack.html");
    pack(root(), &["fixtures/demo"], &file);
    let url = format!("file://{}", file.display());
    let net = dir.path().join("net.json");
    let png = dir.path().join("pack.png");
    let pdf = dir.path().join("pack.pdf");
    let log = chromium(
        &browser,
        dir.path(),
        &[
            format!("--log-net-log={}", net.display()),
            format!("--screenshot={}", png.display()),
            "--window-size=1400,1000".to_owned(),
            "--hide-scrollbars".to_owned(),
        ],
        &url,
    );
    let errors: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Refused to"))
        .collect();
    assert!(errors.is_empty(), "console: {errors:#?}");
    // No URL in the network log but the browser's own housekeeping (its clock and update
    // checks go to Google's hosts whatever the page is): the page loads nothing.
    let events = std::fs::read_to_string(&net).expect("a network log");
    let own = |url: &str| {
        let host = url
            .split("://")
            .nth(1)
            .unwrap_or("")
            .split(['/', ':', '?'])
            .next()
            .unwrap_or("");
        [
            "google.com",
            "googleapis.com",
            "gstatic.com",
            "gvt1.com",
            "googleusercontent.com",
        ]
        .iter()
        .any(|h| host == *h || host.ends_with(&format!(".{h}")))
    };
    let urls: Vec<&str> = events
        .split(|c: char| c == '"' || c == '<' || c == '>' || c == '\\' || c.is_whitespace())
        .filter(|s| {
            s.starts_with("http://")
                || s.starts_with("https://")
                || s.starts_with("ws://")
                || s.starts_with("wss://")
        })
        .filter(|s| !own(s))
        .collect();
    assert!(urls.is_empty(), "network requests: {urls:#?}");
    let png_bytes = std::fs::read(&png).expect("a screenshot");
    assert!(png_bytes.starts_with(b"\x89PNG") && png_bytes.len() > 20_000);
    chromium(
        &browser,
        dir.path(),
        &[
            format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer".to_owned(),
        ],
        &url,
    );
    let pdf_bytes = std::fs::read(&pdf).expect("a PDF");
    let pages = count_pages(&pdf_bytes);
    assert!(
        pages.abs_diff(DEMO_PAGES) <= 1,
        "{pages} pages, expected {DEMO_PAGES} (+/- 1)"
    );
    if let Ok(keep) = std::env::var("KPILINT_KEEP_SCREENSHOT") {
        std::fs::copy(&png, keep).unwrap();
    }
}

/// Page objects in a PDF: `/Type /Page` not followed by `s`.
fn count_pages(pdf: &[u8]) -> usize {
    let needle = b"/Type /Page";
    pdf.windows(needle.len() + 1)
        .filter(|w| w.starts_with(needle) && w[needle.len()] != b's')
        .count()
}
