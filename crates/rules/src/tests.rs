use super::*;

#[test]
fn bundled_recist_loads() {
    let r = RuleSet::bundled("recist-1.1");
    assert!(r.is_ok(), "{:?}", r.err().map(|e| e.to_string()));
}
