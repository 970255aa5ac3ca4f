//! Timestamps as the store persists them.
//!
//! Invariant: a [`DbTime`] is UTC with microsecond precision (what PostgreSQL keeps), so a value
//! reads back exactly as written on both backends. On SQLite it is stored as fixed-width
//! RFC 3339 text (`2025-01-31T09:30:00.000000Z`, years 0000-9999 only), so comparing the text
//! compares the instants and the same SQL (`expires_at <= $1`) works on both backends.

use chrono::{DateTime, SubsecRound, Utc};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef};
use sqlx::sqlite::{SqliteArgumentsBuffer, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Encode, Postgres, Sqlite, Type};

/// The fixed-width text form used on SQLite.
const SQLITE_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6fZ";

/// A UTC instant truncated to whole microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct DbTime(DateTime<Utc>);

impl DbTime {
    /// Truncates `instant` to whole microseconds.
    pub(crate) fn new(instant: DateTime<Utc>) -> Self {
        DbTime(instant.trunc_subsecs(6))
    }

    /// The current time of this machine.
    pub(crate) fn now() -> Self {
        DbTime::new(Utc::now())
    }

    /// The instant.
    pub(crate) fn get(self) -> DateTime<Utc> {
        self.0
    }

    /// The fixed-width text form SQLite stores; an error outside the years 0000-9999.
    pub(crate) fn sqlite_text(self) -> Result<String, BoxDynError> {
        let year = chrono::Datelike::year(&self.0);
        if !(0..=9999).contains(&year) {
            return Err(format!("timestamp {} is outside the years 0000-9999", self.0).into());
        }
        Ok(self.0.format(SQLITE_FORMAT).to_string())
    }
}

impl Type<Sqlite> for DbTime {
    fn type_info() -> SqliteTypeInfo {
        <String as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <String as Type<Sqlite>>::compatible(ty)
    }
}

impl Encode<'_, Sqlite> for DbTime {
    fn encode_by_ref(&self, buf: &mut SqliteArgumentsBuffer) -> Result<IsNull, BoxDynError> {
        <String as Encode<'_, Sqlite>>::encode(self.sqlite_text()?, buf)
    }
}

impl<'r> Decode<'r, Sqlite> for DbTime {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<'r, Sqlite>>::decode(value)?;
        let instant = DateTime::parse_from_rfc3339(text)
            .map_err(|error| format!("stored timestamp {text:?}: {error}"))?;
        Ok(DbTime::new(instant.with_timezone(&Utc)))
    }
}

impl Type<Postgres> for DbTime {
    fn type_info() -> PgTypeInfo {
        <DateTime<Utc> as Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <DateTime<Utc> as Type<Postgres>>::compatible(ty)
    }
}

impl Encode<'_, Postgres> for DbTime {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <DateTime<Utc> as Encode<'_, Postgres>>::encode_by_ref(&self.0, buf)
    }
}

impl<'r> Decode<'r, Postgres> for DbTime {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(DbTime::new(
            <DateTime<Utc> as Decode<'r, Postgres>>::decode(value)?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn sqlite_text_is_fixed_width_and_sorts_like_time() {
        let instants = [
            Utc.with_ymd_and_hms(2025, 1, 31, 9, 30, 0).single(),
            Utc.timestamp_opt(1_738_315_800, 500_000).single(),
            Utc.timestamp_opt(1_738_315_800, 1_000).single(),
            Utc.with_ymd_and_hms(999, 12, 31, 23, 59, 59).single(),
        ];
        let mut times: Vec<DbTime> = instants.into_iter().flatten().map(DbTime::new).collect();
        let mut texts: Vec<String> = times
            .iter()
            .map(|time| time.sqlite_text().expect("in range"))
            .collect();
        assert!(texts.iter().all(|text| text.len() == 27), "{texts:?}");
        times.sort();
        texts.sort();
        let sorted_times: Vec<String> = times
            .iter()
            .map(|time| time.sqlite_text().expect("in range"))
            .collect();
        assert_eq!(texts, sorted_times);
    }

    #[test]
    fn truncates_to_microseconds() {
        let instant = Utc.timestamp_opt(1_738_315_800, 123_456_789).single();
        let time = DbTime::new(instant.expect("valid"));
        assert_eq!(time.get().timestamp_subsec_nanos(), 123_456_000);
    }

    #[test]
    fn refuses_years_that_would_break_the_text_order() {
        let far = Utc.with_ymd_and_hms(10_000, 1, 1, 0, 0, 0).single();
        assert!(DbTime::new(far.expect("valid")).sqlite_text().is_err());
    }
}
