# saker_rules: rules files (libyaml), list and macro expansion, field resolution, type checking,
# lowering to predicates, output formats.
# front/: load, parse, expand, type-check, lint; plan/: the kernel/residual split and its lowering.
add_library(saker_rules STATIC front/comp.c front/loader.c front/collect.c front/exceptions.c
  front/expand.c front/check.c front/typecheck.c front/output.c front/lint.c
  plan/plan.c plan/lower.c plan/pred.c)
target_include_directories(saker_rules PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/front ${CMAKE_CURRENT_SOURCE_DIR}/plan)
target_link_libraries(saker_rules PUBLIC saker_front saker_common PkgConfig::YAML)
