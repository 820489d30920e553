# saker_codegen: LLVM C API code generation linked with bpf/templates bitcode.
execute_process(COMMAND ${SAKER_LLVM_CONFIG} --includedir OUTPUT_VARIABLE LLVM_INCLUDE_DIR OUTPUT_STRIP_TRAILING_WHITESPACE)
execute_process(COMMAND ${SAKER_LLVM_CONFIG} --libdir OUTPUT_VARIABLE LLVM_LIB_DIR OUTPUT_STRIP_TRAILING_WHITESPACE)
find_library(LLVM_SHARED_LIB NAMES LLVM-${SAKER_LLVM_MAJOR} PATHS ${LLVM_LIB_DIR} NO_DEFAULT_PATH REQUIRED)

add_library(saker_codegen STATIC codegen/codegen.c codegen/stack.c ${SAKER_TEMPLATE_BITCODE_C})
target_include_directories(saker_codegen PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/codegen)
add_dependencies(saker_codegen saker_templates)
target_include_directories(saker_codegen SYSTEM PRIVATE ${LLVM_INCLUDE_DIR})
target_link_libraries(saker_codegen PUBLIC saker_rules ${LLVM_SHARED_LIB} PkgConfig::LIBELF)
