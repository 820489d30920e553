# saker_rules: rules files (libyaml), list and macro expansion, field resolution, type checking,
# lowering to predicates, output formats.
add_library(saker_rules STATIC comp.c loader.c collect.c exceptions.c expand.c check.c typecheck.c plan.c
  lower.c lint.c pred.c output.c eval.c)
target_link_libraries(saker_rules PUBLIC saker_front saker_common PkgConfig::YAML)
