//! Fuzz target: see `universal_members_fuzz::rest_request` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| universal_members_fuzz::rest_request::check(data));
