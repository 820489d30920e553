# saker_front: arena, AST and the condition grammar (flex + bison); diagnostics come from
# saker_common (runtime/diag.c), which sakerd shares.
BISON_TARGET(sk_condition_parser ${PROJECT_SOURCE_DIR}/grammar/condition.y
  ${CMAKE_CURRENT_BINARY_DIR}/condition.tab.c
  DEFINES_FILE ${CMAKE_CURRENT_BINARY_DIR}/condition.tab.h
  COMPILE_FLAGS "-Wall -Werror")
FLEX_TARGET(sk_condition_lexer ${PROJECT_SOURCE_DIR}/grammar/condition.l
  ${CMAKE_CURRENT_BINARY_DIR}/condition.lex.c
  DEFINES_FILE ${CMAKE_CURRENT_BINARY_DIR}/condition.lex.h)
ADD_FLEX_BISON_DEPENDENCY(sk_condition_lexer sk_condition_parser)
set_source_files_properties(${BISON_sk_condition_parser_OUTPUTS} ${FLEX_sk_condition_lexer_OUTPUTS}
  PROPERTIES COMPILE_OPTIONS "-Wno-unused-function;-Wno-sign-compare;-Wno-unused-parameter")

add_library(saker_front STATIC
  front/arena.c front/ast.c front/parse.c front/text.c front/names.c
  ${BISON_sk_condition_parser_OUTPUTS} ${FLEX_sk_condition_lexer_OUTPUTS})
target_include_directories(saker_front PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/front ${CMAKE_CURRENT_BINARY_DIR})
# saker_common for the JSON helpers (diagnostics as JSON and SARIF, with jansson).
target_link_libraries(saker_front PUBLIC saker_common)
