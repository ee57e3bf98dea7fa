//! Answers as a client sends them (any bytes; those that are a JSON object are validated) against
//! every published methodology. The properties are in `courtwatch_methodology::fuzzing`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    courtwatch_methodology::fuzzing::check_answers(data);
});
