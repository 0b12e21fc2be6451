#include "dsl/calendar.hpp"

#include <chrono>
#include <cmath>
#include <ctime>

#include <fmt/format.h>

namespace vigil {
namespace {

namespace chr = std::chrono;

constexpr double kAverageMonthDays = 365.2425 / 12.0;

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text)
    if (c < '0' || c > '9') return false;
  return true;
}

int to_int(std::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

bool has_iso_shape(std::string_view text) {
  return text.size() == 10 && text[4] == '-' && text[7] == '-' && all_digits(text.substr(0, 4)) &&
         all_digits(text.substr(5, 2)) && all_digits(text.substr(8, 2));
}

Date from_ymd(chr::year_month_day ymd) {
  return Date{static_cast<std::int32_t>(chr::sys_days(ymd).time_since_epoch().count())};
}

chr::year_month_day to_ymd(Date date) {
  return chr::year_month_day(chr::sys_days(chr::days(date.days_since_epoch)));
}

}  // namespace

double Duration::approximate_days() const { return months * kAverageMonthDays + days; }

std::partial_ordering compare(Duration a, Duration b) {
  if (a.months == 0 && b.months == 0) return a.days <=> b.days;
  if (a.days == 0 && b.days == 0) return a.months <=> b.months;
  return a.approximate_days() <=> b.approximate_days();
}

std::optional<Date> parse_iso_date(std::string_view text) {
  if (!has_iso_shape(text)) return std::nullopt;
  chr::year_month_day ymd{chr::year(to_int(text.substr(0, 4))),
                          chr::month(static_cast<unsigned>(to_int(text.substr(5, 2)))),
                          chr::day(static_cast<unsigned>(to_int(text.substr(8, 2))))};
  if (!ymd.ok()) return std::nullopt;
  return from_ymd(ymd);
}

std::string explain_invalid_date(std::string_view text) {
  if (!has_iso_shape(text)) return fmt::format("'{}' is not a date of the form YYYY-MM-DD", text);
  int month = to_int(text.substr(5, 2));
  if (month < 1 || month > 12)
    return fmt::format("invalid date '{}': month {:02} is not 01-12", text, month);
  return fmt::format("invalid date '{}': day {} does not exist in that month", text,
                     text.substr(8, 2));
}

std::string format_date(Date date) {
  auto ymd = to_ymd(date);
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

std::optional<Duration> parse_duration(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits > 7) return std::nullopt;
  double count = to_int(text.substr(0, digits));
  std::string_view unit = text.substr(digits);
  if (unit == "d") return make_duration(0, count);
  if (unit == "w") return make_duration(0, count * 7);
  if (unit == "mo") return make_duration(count, 0);
  if (unit == "y") return make_duration(count * 12, 0);
  return std::nullopt;
}

std::string format_duration(Duration d) {
  std::string sign = (d.months < 0 || d.days < 0) && d.months <= 0 && d.days <= 0 ? "-" : "";
  int months = sign.empty() ? d.months : -d.months;
  int days = sign.empty() ? d.days : -d.days;
  std::string out;
  if (months != 0) out += months % 12 == 0 ? fmt::format("{}y", months / 12) : fmt::format("{}mo", months);
  if (days != 0 || months == 0) {
    if (!out.empty()) out += " ";
    out += fmt::format("{}d", days);
  }
  return sign + out;
}

bool in_date_range(Date date) {
  static const Date first = *parse_iso_date("0000-01-01"), last = *parse_iso_date("9999-12-31");
  return first <= date && date <= last;
}

std::optional<Duration> make_duration(double months, double days) {
  if (std::trunc(months) != months || std::trunc(days) != days) return std::nullopt;
  if (std::abs(months) > kMaxDurationMonths || std::abs(days) > kMaxDurationDays) return std::nullopt;
  return Duration{static_cast<std::int32_t>(months), static_cast<std::int32_t>(days)};
}

std::optional<Date> add(Date date, Duration duration) {
  if (!in_date_range(date)) return std::nullopt;
  if (duration.months != 0) {
    auto ymd = to_ymd(date);
    // In whole months since year 0, so that chrono's short year never wraps.
    std::int64_t month_index = std::int64_t{static_cast<int>(ymd.year())} * 12 +
                               (static_cast<unsigned>(ymd.month()) - 1) + duration.months;
    if (month_index < 0 || month_index >= 10000 * 12) return std::nullopt;
    chr::year_month moved{chr::year(static_cast<int>(month_index / 12)),
                          chr::month(static_cast<unsigned>(month_index % 12) + 1)};
    auto last = chr::year_month_day_last(moved.year(), chr::month_day_last(moved.month())).day();
    date = from_ymd({moved.year(), moved.month(), std::min(ymd.day(), last)});
  }
  Date moved{date.days_since_epoch + duration.days};
  if (!in_date_range(moved)) return std::nullopt;
  return moved;
}

Duration negate(Duration duration) { return Duration{-duration.months, -duration.days}; }

std::optional<Duration> add(Duration a, Duration b) {
  return make_duration(double(a.months) + b.months, double(a.days) + b.days);
}

Duration difference(Date later, Date earlier) {
  return Duration{0, later.days_since_epoch - earlier.days_since_epoch};
}

Date local_today() {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  chr::year_month_day ymd{chr::year(local.tm_year + 1900),
                          chr::month(static_cast<unsigned>(local.tm_mon + 1)),
                          chr::day(static_cast<unsigned>(local.tm_mday))};
  return from_ymd(ymd);
}

}  // namespace vigil
