//! The committed fuzz corpus of `methodology_validate` (fuzz/corpus/) as a regression test: every
//! input that ever mattered keeps satisfying the validator's properties on stable Rust.

#[test]
fn the_fuzz_corpus_keeps_its_properties() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus/methodology_validate");
    let mut inputs = 0;
    for entry in std::fs::read_dir(&dir).expect("fuzz/corpus/methodology_validate") {
        let path = entry.expect("corpus entry").path();
        let data = std::fs::read(&path).expect("corpus file");
        courtwatch_methodology::fuzzing::check_answers(&data);
        inputs += 1;
    }
    assert!(inputs >= 9, "the corpus lost its seeds: {inputs} inputs");
}
