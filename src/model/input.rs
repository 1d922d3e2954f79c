//! Member input: what a caller may send to create or update a member, and the limits
//! every stored member keeps (SPEC §2, §5).
//!
//! Unknown fields are refused by name; read-only fields are accepted and ignored so a
//! fetched member can be edited and sent back. Permissions and slugs are not decided
//! here (see `service`).

use super::characters::free_text_problem;
use super::decode::decode;
use super::error::{MembersError, MembersResult};
use super::ids::new_uuid;
use super::member::{Address, Contact, CustomField, Image, Member, PrivacyStatus, StreetAddress};
use super::phone::phone_problem;
use super::text::email_problem;
use super::timestamp::is_calendar_date;
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// Longest string unless a field says otherwise.
pub const MAX_STRING: usize = 255;
/// Longest `company` and `jobTitle`.
pub const MAX_SHORT_STRING: usize = 100;
/// Most addresses, phones or emails.
pub const MAX_LIST: usize = 20;
/// Most custom fields.
pub const MAX_CUSTOM_FIELDS: usize = 100;
/// Largest member, as JSON.
pub const MAX_MEMBER_BYTES: usize = 64 * 1024;

/// A member as sent by a caller, in the SDK naming. Every field is optional here;
/// `create` requires `loginEmail`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)] // read-only fields are parsed only to be ignored
pub struct MemberInput {
    #[serde(rename = "_id")]
    id: Option<IgnoredAny>,
    /// Used by create only.
    pub login_email: Option<String>,
    login_email_verified: Option<IgnoredAny>,
    status: Option<IgnoredAny>,
    contact_id: Option<IgnoredAny>,
    /// Contact details to set.
    pub contact: Option<ContactInput>,
    /// Profile fields to set.
    pub profile: Option<ProfileInput>,
    /// Used by create only; join/leave community change it later.
    pub privacy_status: Option<PrivacyStatus>,
    activity_status: Option<IgnoredAny>,
    #[serde(rename = "_createdDate")]
    created_date: Option<IgnoredAny>,
    #[serde(rename = "_updatedDate")]
    updated_date: Option<IgnoredAny>,
    last_login_date: Option<IgnoredAny>,
    revision: Option<IgnoredAny>,
}

/// Contact fields as sent by a caller.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContactInput {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub job_title: Option<String>,
    pub birthdate: Option<String>,
    pub phones: Option<Vec<String>>,
    pub emails: Option<Vec<String>>,
    pub addresses: Option<Vec<AddressInput>>,
    pub custom_fields: Option<BTreeMap<String, CustomFieldInput>>,
}

/// An address as sent by a caller: with `_id` to keep one, without to add one.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddressInput {
    #[serde(rename = "_id")]
    pub id: Option<String>,
    pub address_line: Option<String>,
    pub street_address: Option<StreetAddress>,
    pub address_line2: Option<String>,
    pub city: Option<String>,
    pub subdivision: Option<String>,
    pub country: Option<String>,
    pub postal_code: Option<String>,
}

/// A custom field as sent by a caller.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomFieldInput {
    pub name: Option<String>,
    #[serde(default)]
    pub value: Value,
}

/// Profile fields as sent by a caller (`slug` is read-only here).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub struct ProfileInput {
    pub nickname: Option<String>,
    pub title: Option<String>,
    slug: Option<IgnoredAny>,
    /// `None`: not sent; `Some(None)`: sent as `null`, which removes the photo.
    #[serde(default, deserialize_with = "sent")]
    pub photo: Option<Option<Image>>,
    /// As `photo`.
    #[serde(default, deserialize_with = "sent")]
    pub cover: Option<Option<Image>>,
}

/// Tells a field sent as `null` (`Some(None)`) from one left out (`None`, by
/// `#[serde(default)]`), since `null` is how a caller removes an image.
fn sent<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

impl MemberInput {
    /// Parses a caller's member JSON; `root` names it in errors (`member`).
    pub fn parse(value: Value, root: &str) -> MembersResult<MemberInput> {
        if !value.is_object() {
            return Err(MembersError::invalid_field(
                root,
                "TYPE",
                "must be an object",
            ));
        }
        decode(value, root)
    }
}

/// `""` clears a string; anything else sets it.
fn patch_string(target: &mut Option<String>, value: Option<String>) {
    if let Some(value) = value {
        *target = (!value.is_empty()).then_some(value);
    }
}

/// A non-empty array replaces the whole list; an empty one changes nothing.
fn patch_list<T>(target: &mut Vec<T>, value: Option<Vec<T>>) {
    if let Some(list) = value.filter(|list| !list.is_empty()) {
        *target = list;
    }
}

/// `keep_id`: updates keep a sent `_id`; on create every id is generated.
fn address_from_input(input: AddressInput, keep_id: bool) -> MembersResult<Address> {
    let id = match input.id.filter(|id| keep_id && !id.is_empty()) {
        Some(id) => id,
        None => new_uuid()?,
    };
    Ok(Address {
        id,
        address_line: input.address_line.filter(|s| !s.is_empty()),
        street_address: input.street_address,
        address_line2: input.address_line2.filter(|s| !s.is_empty()),
        city: input.city.filter(|s| !s.is_empty()),
        subdivision: input.subdivision.filter(|s| !s.is_empty()),
        country: input.country.filter(|s| !s.is_empty()),
        postal_code: input.postal_code.filter(|s| !s.is_empty()),
    })
}

/// How input is applied: what a caller may set differs between the three.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Applying {
    /// A new member: sent custom field names are used, address ids generated.
    Create,
    /// A patch: custom field names are the site's (sent ones are ignored), sent
    /// address ids are kept.
    Update,
    /// A new member from an import: sent names and address ids are both kept.
    Import,
}

/// Applies contact input to `contact`. Updates ignore `customFields[k].name` (so a
/// member can not rename the site's fields); updates and imports keep sent
/// address ids.
fn apply_contact(
    contact: &mut Contact,
    input: ContactInput,
    applying: Applying,
) -> MembersResult<()> {
    let keep_names = applying == Applying::Update;
    let keep_ids = applying != Applying::Create;
    patch_string(&mut contact.first_name, input.first_name);
    patch_string(&mut contact.last_name, input.last_name);
    patch_string(&mut contact.company, input.company);
    patch_string(&mut contact.job_title, input.job_title);
    patch_string(&mut contact.birthdate, input.birthdate);
    patch_list(&mut contact.phones, input.phones);
    patch_list(&mut contact.emails, input.emails);
    if let Some(addresses) = input.addresses.filter(|list| !list.is_empty()) {
        contact.addresses = addresses
            .into_iter()
            .map(|address| address_from_input(address, keep_ids))
            .collect::<MembersResult<_>>()?;
    }
    for (key, field) in input.custom_fields.unwrap_or_default() {
        let name = match contact.custom_fields.get(&key) {
            Some(existing) if keep_names => existing.name.clone(),
            _ if keep_names => None,
            _ => field.name,
        };
        contact.custom_fields.insert(
            key,
            CustomField {
                name,
                value: field.value,
            },
        );
    }
    Ok(())
}

/// Applies profile input; `photo: null` or `cover: null` removes the image, and the
/// slug is never touched here (SPEC §6).
fn apply_profile(member: &mut Member, input: ProfileInput) {
    patch_string(&mut member.profile.nickname, input.nickname);
    patch_string(&mut member.profile.title, input.title);
    if let Some(photo) = input.photo {
        member.profile.photo = photo;
    }
    if let Some(cover) = input.cover {
        member.profile.cover = cover;
    }
}

/// Fills a new member's contact and profile from create input.
pub fn apply_new_member_input(member: &mut Member, input: MemberInput) -> MembersResult<()> {
    apply_new(member, input, Applying::Create)
}

/// Fills an imported member's contact and profile: like create, but address ids
/// given in the input are kept, so an export imports back unchanged.
pub fn apply_imported_input(member: &mut Member, input: MemberInput) -> MembersResult<()> {
    apply_new(member, input, Applying::Import)
}

fn apply_new(member: &mut Member, input: MemberInput, applying: Applying) -> MembersResult<()> {
    if let Some(contact) = input.contact {
        apply_contact(&mut member.contact, contact, applying)?;
    }
    if let Some(profile) = input.profile {
        apply_profile(member, profile);
    }
    Ok(())
}

/// Applies an update patch: omitted fields keep their value and read-only ones
/// (`loginEmail`, `privacyStatus`, `status`, `slug`...) are ignored (SPEC §5).
pub fn apply_patch(member: &mut Member, input: MemberInput) -> MembersResult<()> {
    if let Some(contact) = input.contact {
        apply_contact(&mut member.contact, contact, Applying::Update)?;
    }
    if let Some(profile) = input.profile {
        apply_profile(member, profile);
    }
    Ok(())
}

fn check_len(field: &str, value: &str, max: usize) -> MembersResult<()> {
    let count = value.chars().count();
    if count > max {
        return Err(MembersError::invalid_field(
            field,
            "MAX_LENGTH",
            format!("must be at most {max} characters (got {count})"),
        ));
    }
    Ok(())
}

/// At most `max` characters of free text: no controls, no bidi overrides (see
/// `characters`).
fn check_text(field: &str, value: &str, max: usize) -> MembersResult<()> {
    check_len(field, value, max)?;
    match free_text_problem(value) {
        Some(problem) => Err(MembersError::invalid_field(field, "CHARACTERS", problem)),
        None => Ok(()),
    }
}

fn check_opt(field: &str, value: &Option<String>, max: usize) -> MembersResult<()> {
    value
        .as_deref()
        .map_or(Ok(()), |v| check_text(field, v, max))
}

fn check_count(field: &str, count: usize, max: usize) -> MembersResult<()> {
    if count > max {
        return Err(MembersError::invalid_field(
            field,
            "MAX_SIZE",
            format!("may hold at most {max} entries (got {count})"),
        ));
    }
    Ok(())
}

fn check_email(field: &str, email: &str) -> MembersResult<()> {
    check_len(field, email, MAX_STRING)?;
    match email_problem(email) {
        Some(problem) => Err(MembersError::invalid_field(
            field,
            "FORMAT",
            format!("{email:?} {problem}"),
        )),
        None => Ok(()),
    }
}

fn check_image(field: &str, image: &Option<Image>) -> MembersResult<()> {
    let Some(image) = image else { return Ok(()) };
    if image.url.is_empty() {
        return Err(MembersError::invalid_field(
            &format!("{field}.url"),
            "REQUIRED_FIELD",
            "is required",
        ));
    }
    check_text(&format!("{field}.url"), &image.url, MAX_STRING)?;
    check_opt(&format!("{field}._id"), &image.id, MAX_STRING)
}

fn check_address(field: &str, address: &Address) -> MembersResult<()> {
    check_text(&format!("{field}._id"), &address.id, MAX_STRING)?;
    check_opt(
        &format!("{field}.addressLine"),
        &address.address_line,
        MAX_STRING,
    )?;
    check_opt(
        &format!("{field}.addressLine2"),
        &address.address_line2,
        MAX_STRING,
    )?;
    check_opt(&format!("{field}.city"), &address.city, MAX_STRING)?;
    check_opt(
        &format!("{field}.postalCode"),
        &address.postal_code,
        MAX_STRING,
    )?;
    if let Some(street) = &address.street_address {
        check_opt(
            &format!("{field}.streetAddress.number"),
            &street.number,
            MAX_STRING,
        )?;
        check_opt(
            &format!("{field}.streetAddress.name"),
            &street.name,
            MAX_STRING,
        )?;
    }
    if let Some(country) = &address.country {
        if !is_country_code(country) {
            return Err(MembersError::invalid_field(
                &format!("{field}.country"),
                "FORMAT",
                format!("{country:?} is not an ISO 3166-1 alpha-2 country code"),
            ));
        }
    }
    if let Some(subdivision) = &address.subdivision {
        if !is_subdivision_code(subdivision) {
            return Err(MembersError::invalid_field(
                &format!("{field}.subdivision"),
                "FORMAT",
                format!("{subdivision:?} is not an ISO 3166-2 subdivision code (like US-NY)"),
            ));
        }
    }
    Ok(())
}

/// Checks every limit of SPEC §2 on a member about to be stored; `root` prefixes
/// the field names (`member`).
pub fn validate_member(member: &Member, root: &str) -> MembersResult<()> {
    let f = |name: &str| format!("{root}.{name}");
    check_email(&f("loginEmail"), &member.login_email)?;
    let c = &member.contact;
    check_opt(&f("contact.firstName"), &c.first_name, MAX_STRING)?;
    check_opt(&f("contact.lastName"), &c.last_name, MAX_STRING)?;
    check_opt(&f("contact.company"), &c.company, MAX_SHORT_STRING)?;
    check_opt(&f("contact.jobTitle"), &c.job_title, MAX_SHORT_STRING)?;
    if let Some(birthdate) = &c.birthdate {
        if !is_calendar_date(birthdate) {
            return Err(MembersError::invalid_field(
                &f("contact.birthdate"),
                "FORMAT",
                format!("{birthdate:?} is not a date written YYYY-MM-DD"),
            ));
        }
    }
    check_count(&f("contact.phones"), c.phones.len(), MAX_LIST)?;
    for (i, phone) in c.phones.iter().enumerate() {
        if let Some(problem) = phone_problem(phone) {
            return Err(MembersError::invalid_field(
                &f(&format!("contact.phones[{i}]")),
                "FORMAT",
                problem,
            ));
        }
    }
    check_count(&f("contact.emails"), c.emails.len(), MAX_LIST)?;
    for (i, email) in c.emails.iter().enumerate() {
        check_email(&f(&format!("contact.emails[{i}]")), email)?;
    }
    check_count(&f("contact.addresses"), c.addresses.len(), MAX_LIST)?;
    for (i, address) in c.addresses.iter().enumerate() {
        check_address(&f(&format!("contact.addresses[{i}]")), address)?;
    }
    check_count(
        &f("contact.customFields"),
        c.custom_fields.len(),
        MAX_CUSTOM_FIELDS,
    )?;
    for (key, field) in &c.custom_fields {
        let path = f(&format!("contact.customFields.{key}"));
        if key.is_empty() {
            return Err(MembersError::invalid_field(
                &path,
                "FORMAT",
                "keys must not be empty",
            ));
        }
        check_text(&path, key, MAX_STRING)?;
        check_opt(&format!("{path}.name"), &field.name, MAX_STRING)?;
    }
    let p = &member.profile;
    check_opt(&f("profile.nickname"), &p.nickname, MAX_STRING)?;
    check_opt(&f("profile.title"), &p.title, MAX_STRING)?;
    check_image(&f("profile.photo"), &p.photo)?;
    check_image(&f("profile.cover"), &p.cover)?;
    let size = json_size(member);
    if size > MAX_MEMBER_BYTES {
        return Err(MembersError::invalid_field(
            root,
            "MAX_SIZE",
            format!("must be at most {MAX_MEMBER_BYTES} bytes of JSON (got {size})"),
        ));
    }
    Ok(())
}

/// Bytes of `value` as JSON, counted without building the text.
fn json_size(value: &impl serde::Serialize) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    match serde_json::to_writer(&mut count, value) {
        Ok(()) => count.0,
        Err(_) => usize::MAX,
    }
}

/// ISO 3166-1 alpha-2 codes, officially assigned.
const COUNTRY_CODES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

fn is_country_code(code: &str) -> bool {
    code.len() == 2 && COUNTRY_CODES.split(' ').any(|known| known == code)
}

fn is_subdivision_code(code: &str) -> bool {
    match code.split_once('-') {
        Some((country, local)) => {
            is_country_code(country)
                && (1..=3).contains(&local.len())
                && local
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ids::{ContactId, MemberId};
    use crate::model::member::{ActivityStatus, Status};
    use crate::model::timestamp::Timestamp;
    use serde_json::json;

    fn member() -> Member {
        Member {
            id: MemberId::generate().unwrap(),
            login_email: "ann@example.com".into(),
            login_email_verified: false,
            status: Status::Approved,
            contact_id: ContactId::generate().unwrap(),
            contact: Contact::default(),
            profile: Default::default(),
            privacy_status: PrivacyStatus::Public,
            activity_status: ActivityStatus::Active,
            created_date: Timestamp(0),
            updated_date: Timestamp(0),
            last_login_date: None,
            revision: 1,
        }
    }

    fn patched(patch: Value) -> MembersResult<Member> {
        let mut m = member();
        apply_patch(&mut m, MemberInput::parse(patch, "member")?)?;
        validate_member(&m, "member")?;
        Ok(m)
    }

    #[test]
    fn an_empty_string_clears_and_an_omitted_field_keeps() {
        let mut m = member();
        m.contact.first_name = Some("Ann".into());
        m.contact.last_name = Some("Smith".into());
        apply_patch(
            &mut m,
            MemberInput::parse(json!({"contact": {"firstName": ""}}), "member").unwrap(),
        )
        .unwrap();
        assert_eq!(m.contact.first_name, None);
        assert_eq!(m.contact.last_name.as_deref(), Some("Smith"));
    }

    #[test]
    fn a_photo_sent_as_null_is_removed_and_an_omitted_one_kept() {
        let with_photo =
            patched(json!({"profile": {"photo": {"url": "https://x.example/a.png"}}})).unwrap();
        let mut kept = with_photo.clone();
        apply_patch(
            &mut kept,
            MemberInput::parse(json!({"profile": {"nickname": "Ann"}}), "member").unwrap(),
        )
        .unwrap();
        assert_eq!(kept.profile.photo, with_photo.profile.photo);
        let mut removed = with_photo;
        apply_patch(
            &mut removed,
            MemberInput::parse(json!({"profile": {"photo": null}}), "member").unwrap(),
        )
        .unwrap();
        assert_eq!(removed.profile.photo, None);
    }

    #[test]
    fn a_phone_that_is_not_a_number_is_refused_by_its_place() {
        let error =
            patched(json!({"contact": {"phones": ["+1 555 0100", "call me"]}})).unwrap_err();
        let violation = &error.violations[0];
        assert_eq!(violation.field, "member.contact.phones[1]");
        assert!(
            violation
                .description
                .contains("\"call me\" is not a phone number"),
            "{}",
            violation.description
        );
    }

    #[test]
    fn an_array_replaces_and_an_empty_array_changes_nothing() {
        let m = patched(json!({"contact": {"phones": ["555-0101", "555-0102"]}})).unwrap();
        assert_eq!(m.contact.phones, vec!["555-0101", "555-0102"]);
        let mut m2 = m.clone();
        apply_patch(
            &mut m2,
            MemberInput::parse(json!({"contact": {"phones": []}}), "member").unwrap(),
        )
        .unwrap();
        assert_eq!(m2.contact.phones, vec!["555-0101", "555-0102"]);
    }

    #[test]
    fn addresses_keep_a_given_id_and_get_a_new_one_otherwise() {
        let m = patched(
            json!({"contact": {"addresses": [{"_id": "kept", "city": "Oslo"}, {"city": "Rome"}]}}),
        )
        .unwrap();
        assert_eq!(m.contact.addresses[0].id, "kept");
        assert!(crate::model::ids::is_uuid(&m.contact.addresses[1].id));
    }

    #[test]
    fn read_only_fields_in_a_patch_are_ignored() {
        let m = patched(
            json!({"_id": "x", "loginEmail": "new@example.com", "status": "BLOCKED",
            "privacyStatus": "PRIVATE", "profile": {"slug": "new-slug"}}),
        )
        .unwrap();
        assert_eq!(m.login_email, "ann@example.com");
        assert_eq!(m.status, Status::Approved);
        assert_eq!(m.privacy_status, PrivacyStatus::Public);
        assert_eq!(m.profile.slug, "");
    }

    #[test]
    fn custom_field_names_are_ignored_in_updates() {
        let mut m = member();
        m.contact.custom_fields.insert(
            "hobby".into(),
            CustomField {
                name: Some("Hobby".into()),
                value: json!("chess"),
            },
        );
        apply_patch(
            &mut m,
            MemberInput::parse(
                json!({"contact": {"customFields": {"hobby": {"name": "Renamed", "value": "go"}}}}),
                "member",
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(
            m.contact.custom_fields["hobby"].name.as_deref(),
            Some("Hobby")
        );
        assert_eq!(m.contact.custom_fields["hobby"].value, json!("go"));
    }

    #[test]
    fn unknown_fields_are_rejected_by_name() {
        let error = patched(json!({"profile": {"nickame": "x"}})).unwrap_err();
        assert_eq!(error.violations[0].field, "member.profile.nickame");
    }

    #[test]
    fn limits_name_the_field_at_fault() {
        let cases = [
            (
                json!({"contact": {"company": "x".repeat(101)}}),
                "member.contact.company",
            ),
            (
                json!({"contact": {"firstName": "x".repeat(256)}}),
                "member.contact.firstName",
            ),
            (
                json!({"contact": {"phones": vec!["1"; 21]}}),
                "member.contact.phones",
            ),
            (
                json!({"contact": {"emails": ["not-an-email"]}}),
                "member.contact.emails[0]",
            ),
            (
                json!({"contact": {"birthdate": "1990-02-30"}}),
                "member.contact.birthdate",
            ),
            (
                json!({"contact": {"addresses": [{"country": "XX"}]}}),
                "member.contact.addresses[0].country",
            ),
            (
                json!({"contact": {"addresses": [{"subdivision": "NY"}]}}),
                "member.contact.addresses[0].subdivision",
            ),
            (
                json!({"profile": {"photo": {"url": ""}}}),
                "member.profile.photo.url",
            ),
        ];
        for (patch, field) in cases {
            let error = patched(patch).unwrap_err();
            assert_eq!(error.violations[0].field, field, "{}", error.message);
        }
    }

    #[test]
    fn control_characters_and_bidi_overrides_are_refused_in_every_text_field() {
        let cases = [
            (
                json!({"contact": {"firstName": "Ann\u{0}"}}),
                "member.contact.firstName",
            ),
            (
                json!({"contact": {"lastName": "a\u{202e}b"}}),
                "member.contact.lastName",
            ),
            (
                json!({"contact": {"company": "x\ny"}}),
                "member.contact.company",
            ),
            (
                json!({"contact": {"jobTitle": "\u{2067}x"}}),
                "member.contact.jobTitle",
            ),
            (
                json!({"profile": {"nickname": "evil\u{202e}gpj.exe"}}),
                "member.profile.nickname",
            ),
            (
                json!({"profile": {"title": "t\u{1b}[31m"}}),
                "member.profile.title",
            ),
            (
                json!({"profile": {"photo": {"url": "https://x.test/\u{202e}"}}}),
                "member.profile.photo.url",
            ),
            (
                json!({"contact": {"addresses": [{"city": "O\u{7}slo"}]}}),
                "member.contact.addresses[0].city",
            ),
            (
                json!({"contact": {"addresses": [{"streetAddress": {"name": "\u{202d}x"}}]}}),
                "member.contact.addresses[0].streetAddress.name",
            ),
            (
                json!({"contact": {"customFields": {"k\u{202e}": {"value": 1}}}}),
                "member.contact.customFields.k\u{202e}",
            ),
        ];
        for (patch, field) in cases {
            let error = patched(patch.clone()).unwrap_err();
            assert_eq!(error.violations[0].field, field, "{patch}");
            assert_eq!(error.violations[0].violated_rule, "CHARACTERS", "{patch}");
        }
        // Joiners stay: emoji and Persian names need them.
        let m = patched(json!({"profile": {"nickname": "👩\u{200d}💻 \u{645}\u{200c}\u{645}"}}));
        assert!(m.is_ok(), "{m:?}");
    }

    #[test]
    fn an_email_with_an_invisible_character_names_the_field_and_the_code_point() {
        let error = patched(json!({"contact": {"emails": ["a\u{200b}b@x.com"]}})).unwrap_err();
        assert_eq!(error.violations[0].field, "member.contact.emails[0]");
        assert!(error.message.contains("U+200B"), "{}", error.message);
        let mut m = member();
        m.login_email = "a\u{200b}b@x.com".into();
        let error = validate_member(&m, "member").unwrap_err();
        assert_eq!(error.violations[0].field, "member.loginEmail");
    }

    #[test]
    fn too_many_custom_fields_or_a_huge_member_is_refused() {
        let many: serde_json::Map<String, Value> = (0..101)
            .map(|i| (format!("k{i}"), json!({"value": i})))
            .collect();
        let error = patched(json!({"contact": {"customFields": many}})).unwrap_err();
        assert_eq!(error.violations[0].field, "member.contact.customFields");
        let big: serde_json::Map<String, Value> = (0..100)
            .map(|i| (format!("k{i}"), json!({"value": "x".repeat(1000)})))
            .collect();
        let error = patched(json!({"contact": {"customFields": big}})).unwrap_err();
        assert_eq!(error.violations[0].violated_rule, "MAX_SIZE");
    }
}
