//! Fuzz target: see `universal_members_fuzz::csv_row` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| universal_members_fuzz::csv_row::check(data));
