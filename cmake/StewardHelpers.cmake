# One helper per target kind, so each CMakeLists.txt reads as the module graph.
#
#   steward_library(NAME SOURCES ... DEPS ...)   -> target steward_<NAME>, includes from src/
#   steward_test(NAME SOURCES ... DEPS ... [LABELS ...])  -> gtest binary registered with CTest
#   steward_bench(NAME SOURCES ... DEPS ...)     -> benchmark binary, built but never run by `make test`

set(STEWARD_SRC_DIR "${CMAKE_SOURCE_DIR}/src")

function(steward_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(steward_${name} STATIC ${ARG_SOURCES})
  target_include_directories(steward_${name} PUBLIC ${STEWARD_SRC_DIR})
  target_link_libraries(steward_${name} PUBLIC ${ARG_DEPS})
endfunction()

function(steward_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${STEWARD_SRC_DIR} ${CMAKE_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE STEWARD_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  add_test(NAME ${name} COMMAND ${name})
  if(ARG_LABELS)
    set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}")
  else()
    set_tests_properties(${name} PROPERTIES LABELS "unit")
  endif()
endfunction()

function(steward_bench name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${STEWARD_SRC_DIR})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
endfunction()
