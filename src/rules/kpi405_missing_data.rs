//! `missing-data`: a catalogue metric with no data at all.

declare_rule! {
    /// ## What it does
    /// When data files are checked, reports every catalogue metric that has no row in any
    /// of them (in any scope). The finding points at the metric's definition.
    ///
    /// ## Why is this bad?
    /// A metric that is defined but never reported is measuring nothing while the catalogue
    /// claims coverage; dashboards show a blank that nobody owns.
    ///
    /// ## Example
    /// A catalogue defines `time-to-revoke-exposed-key`, and no data file has a row for it.
    pub static MISSING_DATA = {
        code: "KPI405",
        name: "missing-data",
        group: "data",
        severity: Warning,
        summary: "a catalogue metric with no row in the data",
    };
}
