# Plugin variants (DESIGN.md "Variants"): every driver component is built once per
# implementation (c, cpp) and variant (base, hardened) into one shared object,
#   build/plugins/drvbench-<impl>-<variant>-<compiler><major>.so
# The flags are assembled here as a list, applied to the target, and the very same
# list is compiled into the plugin as DRVBENCH_FLAGS, so what a result file says
# the plugin was built with is what it was built with.
include(CheckCCompilerFlag)
include(CheckCXXCompilerFlag)

# Compiler tag for plugin names: gcc12, clang19, ...
function(drvbench_compiler_tag lang out)
  set(id "${CMAKE_${lang}_COMPILER_ID}")
  string(REGEX MATCH "^[0-9]+" major "${CMAKE_${lang}_COMPILER_VERSION}")
  if(id STREQUAL "GNU")
    set(${out} "gcc${major}" PARENT_SCOPE)
  elseif(id MATCHES "Clang")
    set(${out} "clang${major}" PARENT_SCOPE)
  else()
    string(TOLOWER "${id}${major}" tag)
    set(${out} "${tag}" PARENT_SCOPE)
  endif()
endfunction()

# Adds FLAG to LISTVAR when the compiler for LANG accepts it.
function(drvbench_flag_if_supported lang listvar flag)
  string(MAKE_C_IDENTIFIER "HAVE_${lang}_${flag}" var)
  if(lang STREQUAL "C")
    check_c_compiler_flag("${flag}" ${var})
  else()
    check_cxx_compiler_flag("${flag}" ${var})
  endif()
  if(${var})
    set(${listvar} ${${listvar}} ${flag} PARENT_SCOPE)
  endif()
endfunction()

# drvbench_variant_flags(<C|CXX> <base|hardened> <out-list>)
function(drvbench_variant_flags lang variant out)
  set(flags -O2 -fno-strict-aliasing -fvisibility=hidden)
  if(lang STREQUAL "C")
    list(APPEND flags -fno-common)
  else()
    list(APPEND flags -fno-exceptions -fno-rtti -fvisibility-inlines-hidden)
  endif()
  if(variant STREQUAL "hardened")
    # The kernel's "seat belts". Bounds checks trap instead of calling a runtime.
    if(CMAKE_${lang}_COMPILER_ID MATCHES "Clang")
      list(APPEND flags -fsanitize=bounds -fsanitize-trap=bounds)
    else()
      list(APPEND flags -fsanitize=bounds -fsanitize-undefined-trap-on-error)
    endif()
    drvbench_flag_if_supported(${lang} flags -ftrivial-auto-var-init=zero)
    list(APPEND flags -fstack-protector-strong -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3)
    drvbench_flag_if_supported(${lang} flags -fstrict-flex-arrays=3)
    if(lang STREQUAL "CXX")
      # Library assertions: std::span/std::array operator[] checks and more.
      list(APPEND flags -D_GLIBCXX_ASSERTIONS)
    endif()
  elseif(NOT variant STREQUAL "base")
    message(FATAL_ERROR "unknown variant '${variant}'")
  endif()
  set(${out} ${flags} PARENT_SCOPE)
endfunction()

# drvbench_add_plugin(<c|cpp> <variant> SOURCES ... [INCLUDES ...])
function(drvbench_add_plugin impl variant)
  cmake_parse_arguments(P "" "" "SOURCES;INCLUDES" ${ARGN})
  if(impl STREQUAL "c")
    set(lang C)
  else()
    set(lang CXX)
  endif()
  drvbench_compiler_tag(${lang} tag)
  drvbench_variant_flags(${lang} ${variant} flags)
  set(target "drvbench-${impl}-${variant}-${tag}")

  add_library(${target} MODULE ${P_SOURCES})
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/include ${P_INCLUDES})
  target_compile_options(${target} PRIVATE ${flags})
  # What the result files record: the variant flags plus whatever the configuration adds
  # (sanitizer presets, CFLAGS from the environment).
  string(STRIP "${CMAKE_${lang}_FLAGS} ${flags}" recorded)
  string(REPLACE ";" " " recorded "${recorded}")
  target_compile_definitions(${target} PRIVATE
    DRVBENCH_IMPL="${impl}" DRVBENCH_VARIANT="${variant}" DRVBENCH_FLAGS="${recorded}")
  set_target_properties(${target} PROPERTIES
    PREFIX "" OUTPUT_NAME "${target}"
    LIBRARY_OUTPUT_DIRECTORY ${DRVBENCH_PLUGIN_DIR}
    C_VISIBILITY_PRESET hidden CXX_VISIBILITY_PRESET hidden
    POSITION_INDEPENDENT_CODE ON)
  # Only drvbench_plugin() is exported; no undefined symbols left for the loader to guess
  # (sanitizer builds leave the runtime's symbols to the executable).
  target_link_options(${target} PRIVATE -Wl,--exclude-libs,ALL)
  if(NOT CMAKE_${lang}_FLAGS MATCHES "-fsanitize")
    target_link_options(${target} PRIVATE -Wl,--no-undefined)
  endif()
  set_property(GLOBAL APPEND PROPERTY DRVBENCH_PLUGINS ${target})
endfunction()
