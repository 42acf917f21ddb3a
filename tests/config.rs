//! Native tests of settings parsing: every refusal names the field and the fix.
#![cfg(not(target_arch = "wasm32"))]

use autologoff::config::*;
use autologoff::text::{self, Key};
use autologoff::time::Duration;
use proptest::prelude::*;

/// `n` ms.
fn ms(n: u64) -> Duration {
    Duration::from_ms(n)
}

fn text_entry(key: &str, v: &str) -> Entry {
    Entry { key: key.into(), value: Value::Text(v.into()), shown: v.into() }
}

fn num_entry(key: &str, v: f64) -> Entry {
    Entry { key: key.into(), value: Value::Number(v), shown: v.to_string() }
}

#[test]
fn durations_in_every_documented_form() {
    assert_eq!(parse_duration("1500"), Some(ms(1_500)));
    assert_eq!(parse_duration("500ms"), Some(ms(500)));
    assert_eq!(parse_duration("90s"), Some(ms(90_000)));
    assert_eq!(parse_duration("15m"), Some(ms(900_000)));
    assert_eq!(parse_duration("1h"), Some(ms(3_600_000)));
    assert_eq!(parse_duration(" 1.5h "), Some(ms(5_400_000)));
    assert_eq!(parse_duration("0.5s"), Some(ms(500)));
    assert_eq!(parse_duration("2 m"), Some(ms(120_000)));
    for bad in ["", "m", "15 minutes", "1,5m", "-5s", "1.2.3s", "0.0001s", "abc", "1e3", "99999999999999999999h"] {
        assert_eq!(parse_duration(bad), None, "{bad:?} should be refused");
    }
}

#[test]
fn defaults_are_fifteen_minutes_and_sixty_seconds() {
    let s = Settings::from_options(&[]).unwrap();
    assert_eq!(s.policy.timeout(), ms(900_000));
    assert_eq!(s.policy.warning(), ms(60_000));
    assert_eq!(s.logout_url, None);
    assert_eq!(s.logout_wait, DEFAULT_LOGOUT_WAIT);
}

#[test]
fn options_accept_numbers_and_strings() {
    let s = Settings::from_options(&[
        num_entry("timeout", 120_000.0),
        text_entry("warning", "30s"),
        text_entry("logoutUrl", "/logout"),
        text_entry("redirectUrl", "https://portal.example/login?reason=timeout"),
        text_entry("dialogTitle", "  Still there?  "),
        Entry { key: "lang".into(), value: Value::Absent, shown: "undefined".into() },
    ])
    .unwrap();
    assert_eq!((s.policy.timeout(), s.policy.warning()), (ms(120_000), ms(30_000)));
    assert_eq!(s.logout_url.as_deref(), Some("/logout"));
    assert_eq!(s.text.0[Key::Title as usize].as_deref(), Some("Still there?"));
    assert_eq!(s.lang, None);
}

#[test]
fn option_errors_name_the_option_and_the_form() {
    let cases: &[(Entry, &str)] = &[
        (text_entry("timeout", "fifteen"), "option `timeout` must be a duration"),
        (num_entry("timeout", 1.5), "whole number of milliseconds"),
        (num_entry("timeout", f64::NAN), "option `timeout` must be a duration"),
        (num_entry("timeout", 500.0), "option `timeout` must be at least 1s"),
        (text_entry("timeout", "25h"), "option `timeout` must be at most 24h"),
        (text_entry("logoutUrl", "javascript:alert(1)"), "option `logoutUrl` must be a path"),
        (text_entry("redirectUrl", "/log in"), "option `redirectUrl` must be a path"),
        (text_entry("dialogTitle", "   "), "option `dialogTitle` must not be empty"),
        (num_entry("dialogMessage", 3.0), "option `dialogMessage` must be a string"),
        (text_entry("timout", "5m"), "unknown option `timout`; known options are timeout, warning"),
    ];
    for (entry, expected) in cases {
        let err = Settings::from_options(std::slice::from_ref(entry)).unwrap_err();
        assert!(err.message().starts_with("autologoff: "), "{}", err.message());
        assert!(err.message().contains(expected), "{:?} gave {:?}", entry, err.message());
    }
}

#[test]
fn warning_not_shorter_than_timeout_is_an_error() {
    let err = Settings::from_options(&[text_entry("timeout", "1m"), text_entry("warning", "1m")]).unwrap_err();
    assert_eq!(err.field(), Some(Field::Warning));
    assert!(err.message().contains("option `warning` must be shorter than `timeout`"));
    // With the default warning (60 s) a 30 s timeout needs a shorter warning: say so.
    let err = Settings::from_options(&[text_entry("timeout", "30s")]).unwrap_err();
    assert!(err.message().contains("the default warning is 1m"), "{}", err.message());
}

#[test]
fn attributes_fall_back_per_field_and_never_lengthen_the_timeout() {
    let (s, errors) = Settings::from_attributes(&[
        text_entry("timeout", "5m"),
        text_entry("warning", "soon"),
        text_entry("logoutUrl", "/logout"),
        text_entry("cfasync", "false"), // foreign data-* attributes are not ours to judge
    ]);
    assert_eq!((s.policy.timeout(), s.policy.warning()), (ms(300_000), ms(60_000)));
    assert_eq!(s.logout_url.as_deref(), Some("/logout"));
    assert_eq!(errors.len(), 1);
    assert!(errors[0].message().contains("attribute `data-warning` must be a duration"));
    assert!(errors[0].message().ends_with("Using the default instead."));

    let (s, errors) = Settings::from_attributes(&[text_entry("timeout", "30s"), text_entry("warning", "45s")]);
    assert_eq!((s.policy.timeout(), s.policy.warning()), (ms(30_000), ms(15_000)));
    assert!(errors[0].message().contains("`data-warning` must be shorter than `data-timeout`"));

    let (s, errors) = Settings::from_attributes(&[text_entry("timeout", "banana")]);
    assert_eq!(s.policy, Settings::default().policy);
    assert!(errors[0].message().contains("attribute `data-timeout`"));
}

#[test]
fn long_values_are_cut_in_messages() {
    let long = "x".repeat(5_000);
    let err = Settings::from_options(&[text_entry("timeout", &long)]).unwrap_err();
    assert!(err.message().len() < 400);
}

#[test]
fn wcag_advice_only_for_short_warnings() {
    let short = Settings::from_options(&[text_entry("warning", "10s")]).unwrap();
    assert!(wcag_advice(&short.policy).unwrap().contains("WCAG 2.2.1"));
    assert!(wcag_advice(&Settings::default().policy).is_none());
}

#[test]
fn strings_and_countdown() {
    assert_eq!(text::for_lang("es-MX").get(Key::Stay), "Seguir conectado");
    assert_eq!(text::for_lang("fr").get(Key::Stay), "Stay signed in");
    assert_eq!(text::for_lang("").lang, "en");
    assert_eq!(text::countdown(ms(60_000)), "1:00");
    assert_eq!(text::countdown(ms(59_001)), "1:00");
    assert_eq!(text::countdown(ms(59_000)), "0:59");
    assert_eq!(text::countdown(ms(1)), "0:01");
    assert_eq!(text::countdown(ms(0)), "0:00");
    assert_eq!(text::countdown(ms(3_600_000)), "60:00");
}

proptest! {
    /// The parser never panics, and anything it accepts is within bounds.
    #[test]
    fn any_text_parses_or_is_refused_with_a_named_error(s in ".{0,24}", key in prop_oneof![
        Just("timeout"), Just("warning"), Just("logoutWait"), Just("logoutUrl"), Just("lang")]) {
        match Settings::from_options(&[text_entry(key, &s)]) {
            Ok(settings) => {
                prop_assert!(settings.policy.warning() < settings.policy.timeout());
                prop_assert!(settings.logout_wait <= ms(60_000));
            }
            Err(e) => prop_assert!(e.message().contains(key)),
        }
    }

    #[test]
    fn whole_seconds_round_trip(n in 1u64..86_400) {
        prop_assert_eq!(parse_duration(&format!("{n}s")), Some(ms(n * 1000)));
        prop_assert_eq!(parse_duration(&format!("{}", n * 1000)), Some(ms(n * 1000)));
    }
}

#[test]
fn every_string_can_be_overridden_and_rtl_languages_render_rtl() {
    let (s, errors) = Settings::from_attributes(&[
        text_entry("stayLabel", "Keep working"),
        text_entry("logoutLabel", "Sign out"),
        text_entry("timeLeftLabel", "Remaining:"),
        text_entry("titlePrefix", "Timing out"),
        text_entry("signingOutMessage", "Bye…"),
        text_entry("signedOutMessage", "Signed out."),
        text_entry("signInLabel", "Back to sign-in"),
        text_entry("dialog", "false"),
    ]);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(!s.dialog);
    let t = text::Text::new("", &s.text, None);
    assert_eq!(
        (t.get(Key::Stay), t.get(Key::Logout), t.get(Key::TimeLeft)),
        ("Keep working", "Sign out", "Remaining:")
    );
    assert_eq!(
        (t.get(Key::SigningOut), t.get(Key::SignedOut), t.get(Key::SignIn)),
        ("Bye…", "Signed out.", "Back to sign-in")
    );
    assert_eq!(t.warning_title(ms(45_000), "Chart"), "(0:45) Timing out — Chart");
    assert_eq!(t.get(Key::Title), text::EN.get(Key::Title), "not overridden: built in");

    assert_eq!(text::Text::new("ar", &Default::default(), None).dir, "rtl");
    assert_eq!(text::Text::new("he-IL", &Default::default(), None).dir, "rtl");
    assert_eq!(text::Text::new("es", &Default::default(), None).dir, "ltr");
    assert_eq!(
        text::Text::new("", &Default::default(), Some("rtl")).dir,
        "rtl",
        "the page's dir when no language decides"
    );
    assert_eq!(
        text::Text::new("es", &Default::default(), None).warning_title(ms(60_000), ""),
        "(1:00) La sesión caduca"
    );
    let (_, errors) = Settings::from_attributes(&[text_entry("dialog", "maybe")]);
    assert!(errors[0].message().contains("attribute `data-dialog` must be true or false"));
}

#[test]
fn a_bad_value_never_weakens_protection() {
    // A typo in the channel must not join another portal's `default` session: a channel of its
    // own, the same for every page with the same typo.
    let (s, errors) = Settings::from_attributes(&[text_entry("channel", "billing portal")]);
    assert_ne!(s.channel, "default");
    assert_eq!(s.channel, Settings::from_attributes(&[text_entry("channel", "billing portal")]).0.channel);
    assert!(errors[0].message().contains("a channel of its own"), "{}", errors[0].message());
    // A malformed absolute limit is still a limit: 12 h.
    let (s, errors) = Settings::from_attributes(&[text_entry("absoluteTimeout", "8 hours")]);
    assert_eq!(s.policy.absolute(), Some(FAILSAFE_ABSOLUTE));
    assert!(errors[0].message().ends_with("Using 12h instead."));
    // An absolute limit too short for the warning keeps the limit and shortens the warning.
    let (s, errors) = Settings::from_attributes(&[text_entry("absoluteTimeout", "30s"), text_entry("warning", "60s")]);
    assert_eq!((s.policy.absolute(), s.policy.warning()), (Some(ms(30_000)), ms(15_000)));
    assert!(errors[0].message().contains("must be longer than `data-warning`"));
    // Unsure whether to unregister service workers (which may serve cached PHI): unregister.
    let (s, _) = Settings::from_attributes(&[text_entry("unregisterServiceWorkers", "yes")]);
    assert!(s.unregister_service_workers);
    // Unsure whether the page may be seen during the warning: it is concealed.
    let (s, errors) = Settings::from_attributes(&[text_entry("concealDuringWarning", "no")]);
    assert!(s.conceal_during_warning);
    assert!(errors[0].message().contains("attribute `data-conceal-during-warning` must be true or false"));
    let (s, errors) = Settings::from_attributes(&[text_entry("concealDuringWarning", "false")]);
    assert!(!s.conceal_during_warning && errors.is_empty());
    // A logout URL that cannot be used is said to be so: the session still ends on time.
    let (s, errors) = Settings::from_attributes(&[text_entry("logoutUrl", "javascript:void(0)")]);
    assert_eq!(s.logout_url, None);
    assert_eq!(errors[0].field(), Some(Field::LogoutUrl));
    assert!(errors[0].message().contains("No logout request can be sent"));
    // An options object gets the same fail-safe settings (the browser API runs them while it
    // rejects), and the first error.
    let (s, errors) = parse(&[text_entry("channel", "a b"), text_entry("timeout", "soon")], Origin::Options);
    assert_ne!(s.channel, "default");
    assert_eq!(s.policy.timeout(), DEFAULT_TIMEOUT);
    assert_eq!(errors.len(), 2);
    assert!(errors[0].message().starts_with("autologoff: option `channel`"));
}

#[test]
fn the_identity_is_the_session_id_else_the_session_start_as_given() {
    let none = Settings::default();
    assert_eq!(none.identity(), "");
    let s = Settings::from_options(&[text_entry("sessionId", "Z8f-2kq")]).unwrap();
    assert!(!s.identity().is_empty() && s.identity().len() <= 13);
    assert!(s.identity().bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase()));
    let other = Settings::from_options(&[text_entry("sessionId", "Z8f-2kr")]).unwrap();
    assert_ne!(s.identity(), other.identity());
    let by_start = Settings::from_options(&[num_entry("sessionStart", 1_700_000_000_123.0)]).unwrap();
    let same = Settings::from_options(&[text_entry("sessionStart", "1700000000123")]).unwrap();
    assert_eq!(by_start.identity(), same.identity());
    assert_ne!(by_start.identity(), "");
    let both =
        Settings::from_options(&[text_entry("sessionId", "Z8f-2kq"), num_entry("sessionStart", 1_700_000_000_123.0)])
            .unwrap();
    assert_eq!(both.identity(), s.identity(), "the session id wins");
    // A numeric id (`start({ sessionId: 4711 })`) is the id its digits are as text.
    let numeric = Settings::from_options(&[num_entry("sessionId", 4711.0)]).unwrap();
    assert_eq!(numeric.identity(), Settings::from_options(&[text_entry("sessionId", "4711")]).unwrap().identity());
    assert!(Settings::from_options(&[num_entry("sessionId", 1.5)]).is_err(), "not a whole number");
}

/// Options are declared once (src/config.rs, `options!`): the attribute names, the TypeScript
/// interface and the README's table all come from, or are checked against, that declaration.
#[test]
fn the_readme_the_types_and_the_declarations_agree() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let table: Vec<Vec<String>> = readme
        .lines()
        .skip_while(|l| !l.starts_with("| option / attribute |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| l.trim_matches('|').split(" | ").map(|c| c.trim().to_owned()).collect())
        .collect();
    let declared: Vec<_> = Field::ALL.iter().zip(DOCUMENTED).collect();
    let rows: Vec<_> = table.iter().filter(|r| !r[0].starts_with("—")).collect();
    assert_eq!(rows.len(), declared.len(), "one README row per option");
    for (row, (field, (name, kind, default))) in rows.iter().zip(&declared) {
        assert_eq!(field.option_name(), *name);
        let mut attribute = String::from("data-");
        for c in name.chars() {
            if c.is_ascii_uppercase() {
                attribute.push('-');
                attribute.push(c.to_ascii_lowercase());
            } else {
                attribute.push(c);
            }
        }
        assert_eq!(field.attribute_name(), attribute);
        assert_eq!(row[0], format!("`{name}` / `{attribute}`"), "README row for {name}");
        assert_eq!(row[1], *kind, "README type of {name}");
        assert_eq!(row[2], *default, "README default of {name}");
        assert!(TYPESCRIPT.contains(&format!("  {name}?: ")), "TypeScript declares {name}");
    }
    // index.d.ts re-exports the generated interface rather than declaring options of its own.
    let dts = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/pkg-template/index.d.ts")).unwrap();
    assert!(dts.contains("AutologoffOptions") && !dts.contains("interface AutologoffOptions"));
}

#[test]
fn each_documented_default_is_the_default() {
    // The README's defaults that are values parse to exactly what Settings::default() holds.
    let defaults = Settings::default();
    for (name, _, default) in DOCUMENTED {
        let Some(value) = default.strip_prefix('`').and_then(|d| d.strip_suffix('`')) else {
            continue;
        };
        if value.starts_with('<') {
            continue;
        }
        let entry = if value == "true" || value == "false" {
            Entry { key: (*name).into(), value: Value::Bool(value == "true"), shown: value.into() }
        } else {
            text_entry(name, value)
        };
        let parsed = Settings::from_options(&[entry]).unwrap_or_else(|e| panic!("{name}: {}", e.message()));
        assert_eq!(parsed, defaults, "the documented default of {name} is not the default");
    }
}
