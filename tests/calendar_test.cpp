#include <catch2/catch.hpp>

#include "dsl/calendar.hpp"
#include "test_support.hpp"

using namespace vigil;
using vigil::test::date;

TEST_CASE("ISO dates parse strictly and format back", "[calendar]") {
  CHECK(format_date(date("2026-01-31")) == "2026-01-31");
  CHECK(format_date(date("1970-01-01")) == "1970-01-01");
  CHECK(date("1970-01-02").days_since_epoch == 1);
  CHECK(date("2024-02-29").days_since_epoch - date("2024-02-28").days_since_epoch == 1);
  CHECK_FALSE(parse_iso_date("2026-02-29"));  // not a leap year
  CHECK_FALSE(parse_iso_date("2026-13-01"));
  CHECK_FALSE(parse_iso_date("2026-1-31"));
  CHECK_FALSE(parse_iso_date("2026/01/31"));
  CHECK_FALSE(parse_iso_date("2026-01-31T00:00"));
  CHECK_FALSE(parse_iso_date(""));
}

TEST_CASE("invalid dates are explained", "[calendar]") {
  CHECK(explain_invalid_date("2026-13-01") == "invalid date '2026-13-01': month 13 is not 01-12");
  CHECK(explain_invalid_date("2026-02-30") == "invalid date '2026-02-30': day 30 does not exist in that month");
  CHECK(explain_invalid_date("26-1-1") == "'26-1-1' is not a date of the form YYYY-MM-DD");
}

TEST_CASE("durations parse in days, weeks, months and years", "[calendar]") {
  CHECK(*parse_duration("30d") == Duration{0, 30});
  CHECK(*parse_duration("12w") == Duration{0, 84});
  CHECK(*parse_duration("6mo") == Duration{6, 0});
  CHECK(*parse_duration("1y") == Duration{12, 0});
  CHECK_FALSE(parse_duration("12m"));
  CHECK_FALSE(parse_duration("d"));
  CHECK(format_duration({0, 30}) == "30d");
  CHECK(format_duration({18, 0}) == "18mo");
  CHECK(format_duration({24, 0}) == "2y");
  CHECK(format_duration({0, -5}) == "-5d");
  CHECK(format_duration({0, 0}) == "0d");
}

TEST_CASE("month arithmetic is calendar arithmetic, clamped to the month's end", "[calendar]") {
  CHECK(format_date(*add(date("2026-01-31"), Duration{1, 0})) == "2026-02-28");
  CHECK(format_date(*add(date("2024-01-31"), Duration{1, 0})) == "2024-02-29");
  CHECK(format_date(*add(date("2026-03-31"), Duration{-1, 0})) == "2026-02-28");
  CHECK(format_date(*add(date("2024-02-29"), Duration{12, 0})) == "2025-02-28");
  CHECK(format_date(*add(date("2026-11-15"), Duration{3, 0})) == "2027-02-15");
  CHECK(format_date(*add(date("2026-01-01"), Duration{0, 365})) == "2027-01-01");
  CHECK(format_date(*add(date("2026-01-31"), Duration{1, 1})) == "2026-03-01");  // months first, then days
}

TEST_CASE("durations compare exactly in one unit and approximately across units", "[calendar]") {
  CHECK((compare(Duration{0, 30}, Duration{0, 31}) < 0));
  CHECK((compare(Duration{12, 0}, Duration{6, 0}) > 0));
  CHECK((compare(Duration{12, 0}, Duration{0, 365}) > 0));  // a year is 365.2425 days
  CHECK((compare(Duration{12, 0}, Duration{0, 366}) < 0));
  CHECK((compare(Duration{1, 0}, Duration{0, 30}) > 0));
  CHECK(difference(date("2026-03-01"), date("2026-02-01")) == Duration{0, 28});
}
