// Word lists the demo draws people's and places' names from.
#pragma once

#include <span>
#include <string_view>

namespace steward::demo::internal {

std::span<const std::string_view> Surnames();  // common in Lishui, weighted by repetition
std::span<const std::string_view> MaleGivenChars();
std::span<const std::string_view> FemaleGivenChars();
std::span<const std::string_view> Roads();         // streets of Longquan's town centre
std::span<const std::string_view> ComplexNames();  // residential complex names
std::span<const std::string_view> PropertyCompanies();
std::span<const std::string_view> MigrantRegions();  // 6-digit county codes migrants come from

}  // namespace steward::demo::internal
