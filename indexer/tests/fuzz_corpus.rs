//! The committed fuzz corpus of `search_query` (fuzz/corpus/) as a regression test: every
//! input that ever mattered keeps satisfying the query parser's properties on stable Rust.

#[test]
fn the_fuzz_corpus_keeps_its_properties() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/search_query");
    let mut inputs = 0;
    for entry in std::fs::read_dir(&dir).expect("fuzz/corpus/search_query") {
        let path = entry.expect("corpus entry").path();
        let data = std::fs::read(&path).expect("corpus file");
        courtwatch_indexer::fuzzing::check_query(&data);
        inputs += 1;
    }
    assert!(inputs >= 20, "the corpus lost its seeds: {inputs} inputs");
}
