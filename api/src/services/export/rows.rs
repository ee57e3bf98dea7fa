//! CSV rows written straight into a byte buffer, byte for byte as the `csv` crate writes them
//! with the files' settings (`,` between fields, `"` quoting only where needed, quotes doubled,
//! `\r\n` after each row), which the test below checks against the crate itself.
//!
//! Why not the crate here: for observations.csv's 70+ narrow columns per row its writer (a
//! per-byte state machine, then a copy from its own buffer into ours) was ~15 % of an export's
//! CPU. The crate still writes every other CSV file (codebook).

/// Rows of one file, appended to a buffer.
pub(crate) struct Rows {
    buf: Vec<u8>,
    /// Fields written in the current row.
    fields: usize,
    /// Where the current row starts in `buf`.
    row_start: usize,
    /// The number of fields every row must have (the first row's, as the crate requires).
    width: Option<usize>,
    /// Excel mode: a field Excel would run as a formula is written with a leading `'`.
    excel_safe: bool,
}

/// Whether Excel would take a field for a formula (OWASP, CSV injection): it starts with `=`,
/// `+`, `-`, `@`, a tab or a carriage return, and is not a plain number (`-3` stays a number).
pub(crate) fn formula_like(field: &str) -> bool {
    field.starts_with(['=', '+', '-', '@', '\t', '\r']) && field.trim().parse::<f64>().is_err()
}

/// Whether a field must be quoted: it holds a delimiter, a quote or a line break.
fn needs_quotes(field: &[u8]) -> bool {
    field
        .iter()
        .any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
}

impl Rows {
    /// Rows appended after `start` (say, a byte order mark), every one `width` fields wide.
    pub fn new(start: Vec<u8>, width: Option<usize>) -> Self {
        let row_start = start.len();
        Rows {
            buf: start,
            fields: 0,
            row_start,
            width,
            excel_safe: false,
        }
    }

    /// In Excel mode (`bom=true`), fields that Excel would run as formulas get a leading `'`, which
    /// Excel shows as text; in the default mode every value stays exactly as stored.
    pub fn excel_safe(mut self, on: bool) -> Self {
        self.excel_safe = on;
        self
    }

    /// Appends a field to the current row.
    pub fn field(&mut self, field: &str) {
        let neutralised;
        let field = if self.excel_safe && formula_like(field) {
            neutralised = format!("'{field}");
            neutralised.as_bytes()
        } else {
            field.as_bytes()
        };
        if self.fields > 0 {
            self.buf.push(b',');
        }
        self.fields += 1;
        if !needs_quotes(field) {
            self.buf.extend_from_slice(field);
            return;
        }
        self.buf.push(b'"');
        let mut rest = field;
        while let Some(at) = rest.iter().position(|&b| b == b'"') {
            self.buf.extend_from_slice(&rest[..=at]);
            self.buf.push(b'"');
            rest = &rest[at + 1..];
        }
        self.buf.extend_from_slice(rest);
        self.buf.push(b'"');
    }

    /// Ends the current row. A row whose width differs from the first row's is an error.
    pub fn end_row(&mut self) -> Result<(), String> {
        let width = *self.width.get_or_insert(self.fields);
        if self.fields != width {
            return Err(format!(
                "a row of {} fields in a file of {width} columns",
                self.fields
            ));
        }
        // One empty field alone: quoted, or the row would read as no row at all.
        if self.buf.len() == self.row_start {
            self.buf.extend_from_slice(b"\"\"");
        }
        self.buf.extend_from_slice(b"\r\n");
        self.fields = 0;
        self.row_start = self.buf.len();
        Ok(())
    }

    /// Appends a whole row.
    pub fn row<S: AsRef<str>>(&mut self, fields: &[S]) -> Result<(), String> {
        for f in fields {
            self.field(f.as_ref());
        }
        self.end_row()
    }

    pub fn into_inner(self) -> Vec<u8> {
        self.buf
    }
}

#[cfg(test)]
mod excel_tests {
    use super::*;

    #[test]
    fn excel_mode_neutralises_formulas_and_leaves_numbers() {
        let mut rows = Rows::new(Vec::new(), None).excel_safe(true);
        for f in [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+1+2",
            "-3",
            "@SUM(A1)",
            "plain",
            "-2+3",
        ] {
            rows.field(f);
        }
        rows.end_row().expect("row");
        assert_eq!(
            String::from_utf8(rows.buf).expect("utf-8"),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",'+1+2,-3,'@SUM(A1),plain,'-2+3\r\n"
        );
        let mut exact = Rows::new(Vec::new(), None);
        exact.field("=1+1");
        exact.end_row().expect("row");
        assert_eq!(exact.buf, b"=1+1\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field shape that matters to quoting, in rows of several widths.
    fn samples() -> Vec<Vec<String>> {
        let fields = [
            "",
            "plain",
            "a,b",
            "say \"hi\"",
            "\"",
            "\"\"",
            "line\nbreak",
            "carriage\rreturn",
            "crlf\r\nend",
            " leading and trailing ",
            "#not a comment",
            "Ćirilica: Бојана, ђ",
            "tab\there",
            "'single'",
            "NA",
            "2024-01-01T10:00:00Z",
            "a|b|c",
        ];
        let mut rows = Vec::new();
        for (i, f) in fields.iter().enumerate() {
            rows.push(vec![f.to_string()]);
            rows.push(vec![
                f.to_string(),
                fields[(i + 3) % fields.len()].to_string(),
            ]);
            rows.push(vec![
                fields[(i + 5) % fields.len()].to_string(),
                f.to_string(),
                String::new(),
            ]);
        }
        rows
    }

    fn crate_bytes(rows: &[Vec<String>], start: &[u8]) -> Vec<u8> {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(start.to_vec());
        for r in rows {
            w.write_record(r).unwrap();
        }
        w.into_inner().unwrap()
    }

    #[test]
    fn byte_for_byte_what_the_csv_crate_writes() {
        for width in 1..=3 {
            let rows: Vec<Vec<String>> =
                samples().into_iter().filter(|r| r.len() == width).collect();
            let mut ours = Rows::new(b"\xEF\xBB\xBF".to_vec(), None);
            for r in &rows {
                ours.row(r).unwrap();
            }
            assert_eq!(
                String::from_utf8_lossy(&ours.into_inner()),
                String::from_utf8_lossy(&crate_bytes(&rows, b"\xEF\xBB\xBF")),
                "width {width}"
            );
        }
        // Each one-field row alone (the empty one is quoted).
        for row in samples().into_iter().filter(|r| r.len() == 1) {
            let mut ours = Rows::new(Vec::new(), None);
            ours.row(&row).unwrap();
            assert_eq!(
                ours.into_inner(),
                crate_bytes(std::slice::from_ref(&row), b""),
                "{row:?}"
            );
        }
    }

    #[test]
    fn rows_read_back_through_the_csv_crate() {
        let rows: Vec<Vec<String>> = samples().into_iter().filter(|r| r.len() == 3).collect();
        let mut ours = Rows::new(Vec::new(), None);
        for r in &rows {
            ours.row(r).unwrap();
        }
        let bytes = ours.into_inner();
        let read: Vec<Vec<String>> = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(bytes.as_slice())
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        assert_eq!(read, rows);
    }

    #[test]
    fn a_row_of_another_width_is_refused() {
        let mut rows = Rows::new(Vec::new(), Some(2));
        assert!(rows.row(&["a", "b"]).is_ok());
        let err = rows.row(&["a", "b", "c"]).unwrap_err();
        assert!(
            err.contains("3 fields") && err.contains("2 columns"),
            "{err}"
        );
        let mut free = Rows::new(Vec::new(), None);
        free.row(&["a"]).unwrap();
        assert!(free.row(&["a", "b"]).is_err());
    }
}
