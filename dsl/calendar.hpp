// Calendar values of the rule language: dates (whole days) and durations
// (calendar months plus days, so that `6mo` and `1y` stay calendar arithmetic).
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil {

struct Date {
  std::int32_t days_since_epoch = 0;  // 1970-01-01 is day 0
  auto operator<=>(const Date&) const = default;
};

struct Duration {
  std::int32_t months = 0;
  std::int32_t days = 0;
  bool operator==(const Duration&) const = default;
  // Length in days, with a month counted as an average Gregorian month
  // (365.2425 / 12 days). Used only where months and days must be compared.
  double approximate_days() const;
};

// Durations compare exactly when both are in the same unit (both pure days or
// both pure months); otherwise by approximate length in days.
std::partial_ordering compare(Duration a, Duration b);

// Strict ISO 8601 calendar date `YYYY-MM-DD` that exists in the calendar.
std::optional<Date> parse_iso_date(std::string_view text);
// Why `text` is not a valid date, for diagnostics ("month 13 is not 01-12").
std::string explain_invalid_date(std::string_view text);
std::string format_date(Date date);

// `30d`, `12w`, `6mo`, `1y`: a count followed by a unit.
std::optional<Duration> parse_duration(std::string_view text);
std::string format_duration(Duration duration);

// Dates are those of four-digit years, 0000-01-01 to 9999-12-31, and a
// duration is at most 10,000 years either way: arithmetic that leaves these
// ranges gives nullopt (an evaluation error), never a wrapped-around date.
constexpr std::int32_t kMaxDurationMonths = 12 * 10000;
constexpr std::int32_t kMaxDurationDays = 3652425;  // 10,000 Gregorian years
bool in_date_range(Date date);
// A duration from counts that may be out of range or fractional (nullopt then).
std::optional<Duration> make_duration(double months, double days);

// Calendar arithmetic: months are added first, clamping the day to the end of
// the target month (2026-01-31 + 1mo = 2026-02-28), then days.
std::optional<Date> add(Date date, Duration duration);
Duration negate(Duration duration);
std::optional<Duration> add(Duration a, Duration b);  // months with months, days with days
Duration difference(Date later, Date earlier);  // a pure-days duration

Date local_today();

}  // namespace vigil
