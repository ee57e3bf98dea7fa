//! Search queries as a researcher types them (any bytes, read as UTF-8 lossily) through the query
//! parser and the text analysis. The properties are in `courtwatch_indexer::fuzzing`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    courtwatch_indexer::fuzzing::check_query(data);
});
