#include <catch2/catch.hpp>

#include <map>
#include <random>

#include "engine/facts/id_index.hpp"
#include "engine/facts/portfolio.hpp"

using namespace vigil;

TEST_CASE("the id index finds, refuses duplicates and erases as a map does", "[id_index]") {
  std::vector<std::string> ids;
  IdIndex index;
  std::map<std::string, std::uint32_t> model;
  std::mt19937 random(7);
  auto check_all = [&] {
    REQUIRE(index.size() == model.size());
    for (const auto& [id, entity] : model) REQUIRE(index.find(id, ids) == entity);
  };
  // Ids added in order, then the last ones taken away (an overlay rolled back), many times over.
  for (int round = 0; round < 200; ++round) {
    std::size_t adds = random() % 300;
    for (std::size_t i = 0; i < adds; ++i) {
      std::string id = "V" + std::to_string(random() % 5000);
      ids.push_back(id);
      bool added = index.insert(static_cast<std::uint32_t>(ids.size() - 1), ids);
      REQUIRE(added == !model.count(id));
      if (added) model[id] = static_cast<std::uint32_t>(ids.size() - 1);
      else ids.pop_back();
    }
    std::size_t removes = random() % (ids.size() + 1);
    for (std::size_t i = 0; i < removes; ++i) {
      index.erase(static_cast<std::uint32_t>(ids.size() - 1), ids);
      model.erase(ids.back());
      ids.pop_back();
    }
    check_all();
  }
  // Any id taken away, in any order: the ones after it in the table move back.
  while (!model.empty()) {
    auto victim = std::next(model.begin(), static_cast<std::ptrdiff_t>(random() % model.size()));
    index.erase(victim->second, ids);
    model.erase(victim);
    if (model.size() % 7 == 0) check_all();
  }
  check_all();
  CHECK_FALSE(index.find("not there", ids));
  CHECK_FALSE(IdIndex().find("V1", ids));
}

TEST_CASE("a portfolio's ids through the index", "[id_index]") {
  Portfolio portfolio;
  KindId vendor = portfolio.declare_kind("vendor");
  portfolio.reserve_entities(3);
  for (const char* id : {"V1", "V2", "V3"}) portfolio.add_entity(id, vendor);
  CHECK(portfolio.find("V2") == 1u);
  CHECK_THROWS_WITH(portfolio.add_entity("V2", vendor), "duplicate entity id 'V2'");
  CHECK(portfolio.entity_count() == 3);  // the refused one is not kept
  auto mark = portfolio.mark();
  portfolio.add_entity("V4", vendor);
  CHECK(portfolio.find("V4") == 3u);
  portfolio.roll_back(mark);
  CHECK_FALSE(portfolio.find("V4"));
  CHECK(portfolio.find("V3") == 2u);
  CHECK(portfolio.add_entity("V4", vendor) == 3u);
}
