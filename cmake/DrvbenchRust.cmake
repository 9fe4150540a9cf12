# Rust plugins (DESIGN.md "Safe Rust here means"): rustc is called directly, no cargo, no
# registry; core/alloc/std only. Included by rust_drivers/CMakeLists.txt.
#
# The compiler: RUSTC (cache variable, or the RUSTC environment variable at the first
# configure), default /usr/bin/rustc, Debian's rustc-web. The default is that path on
# purpose, not the first rustc on PATH (a rustup toolchain often comes first there).
#   build/plugins/drvbench-rust-<variant>-rustc<major>.<minor>.so
# The tag names the minor version, because every rustc is major 1 (the harness forms the
# same tag from the plugin's compiler_version: harness/plugins.cpp).

if(NOT RUSTC)
  if(DEFINED ENV{RUSTC} AND NOT "$ENV{RUSTC}" STREQUAL "")
    set(_drvbench_rustc "$ENV{RUSTC}")
  else()
    set(_drvbench_rustc /usr/bin/rustc)
  endif()
  set(RUSTC "${_drvbench_rustc}" CACHE FILEPATH
      "rustc that builds the Rust plugins (default /usr/bin/rustc, Debian's rustc-web)")
endif()

set(DRVBENCH_RUST_OK OFF)
if(EXISTS "${RUSTC}")
  execute_process(COMMAND "${RUSTC}" --version OUTPUT_VARIABLE _rv RESULT_VARIABLE _rc
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  # "rustc 1.96.0 (ac68faa20 2026-05-25) (built from a source tarball)"
  if(_rc EQUAL 0 AND _rv MATCHES "^rustc (([0-9]+)\\.([0-9]+)\\.[0-9]+)")
    set(DRVBENCH_RUSTC_VERSION "${CMAKE_MATCH_1}")
    set(DRVBENCH_RUSTC_TAG "rustc${CMAKE_MATCH_2}.${CMAKE_MATCH_3}")
    set(DRVBENCH_RUSTC_VERSION_LINE "${_rv}")
    set(DRVBENCH_RUST_OK ON)
  endif()
endif()

# drvbench_rust_variant_flags(<base|hardened> <out-list>): the kernel's flags.
function(drvbench_rust_variant_flags variant out)
  set(flags --edition=2021 -Copt-level=2 -Cpanic=abort -Ccodegen-units=1)
  if(variant STREQUAL "base")
    list(APPEND flags -Coverflow-checks=off)
  elseif(variant STREQUAL "hardened")
    list(APPEND flags -Coverflow-checks=on)   # the kernel's CONFIG_RUST_OVERFLOW_CHECKS=y
  else()
    message(FATAL_ERROR "unknown Rust variant '${variant}'")
  endif()
  set(${out} ${flags} PARENT_SCOPE)
endfunction()

# drvbench_rust_crate(<out-var> NAME <crate> ROOT <file.rs> TYPE <rlib|cdylib> FLAGS ...
#                     OUTPUT <file> [SOURCES ...] [EXTERNS <crate>=<file> ...] [DEPENDS ...]
#                     [ENV VAR=VALUE ...] [LINK_ARGS ...])
# One rustc invocation; dependencies from rustc's own dep-info. Sets <out-var> to OUTPUT.
function(drvbench_rust_crate outvar)
  cmake_parse_arguments(R "" "NAME;ROOT;TYPE;OUTPUT"
                        "FLAGS;SOURCES;EXTERNS;DEPENDS;ENV;LINK_ARGS;EXTRA" ${ARGN})
  set(args ${R_FLAGS} --crate-type=${R_TYPE} --crate-name=${R_NAME})
  set(deps ${R_ROOT} ${R_SOURCES} ${R_DEPENDS})
  foreach(e ${R_EXTERNS})
    string(REGEX REPLACE "^[^=]*=" "" f "${e}")
    get_filename_component(d "${f}" DIRECTORY)
    list(APPEND args --extern ${e} -Ldependency=${d})
    list(APPEND deps ${f})
  endforeach()
  foreach(l ${R_LINK_ARGS})
    list(APPEND args -Clink-arg=${l})
  endforeach()
  get_filename_component(_out_name ${R_OUTPUT} NAME)
  get_filename_component(_out_dir ${R_OUTPUT} DIRECTORY)
  file(MAKE_DIRECTORY ${_out_dir})
  set(depfile ${CMAKE_CURRENT_BINARY_DIR}/rustc-deps/${_out_name}.d)
  add_custom_command(OUTPUT ${R_OUTPUT}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/rustc-deps
    COMMAND ${CMAKE_COMMAND} -E env ${R_ENV}
            "${RUSTC}" ${args} ${R_EXTRA} --emit=dep-info=${depfile},link=${R_OUTPUT} ${R_ROOT}
    DEPENDS ${deps}
    DEPFILE ${depfile}
    # rustc's intermediate files go to the working directory: one per output directory,
    # so crates of one name built for two variants in parallel do not collide.
    WORKING_DIRECTORY ${_out_dir}
    COMMENT "rustc ${R_NAME} (${R_TYPE}) -> ${R_OUTPUT}"
    VERBATIM)
  set(${outvar} ${R_OUTPUT} PARENT_SCOPE)
endfunction()

# drvbench_add_rust_plugin(<impl> <variant> ROOT <file.rs> [SOURCES ...] [EXTERNS ...]
#                          [RECORD <text>] [LINK_ARGS ...] [EXTRA_FLAGS ...])
# One cdylib per variant into the plugin directory; its target is added to DRVBENCH_PLUGINS
# (tests and the CLI depend on those). The plugin records impl, variant, compiler "rustc",
# the rustc version and, as its flags, the rustc path and every flag given to rustc.
function(drvbench_add_rust_plugin impl variant)
  cmake_parse_arguments(P "" "ROOT;RECORD" "SOURCES;EXTERNS;DEPENDS;LINK_ARGS;EXTRA_FLAGS" ${ARGN})
  drvbench_rust_variant_flags(${variant} flags)
  list(APPEND flags ${P_EXTRA_FLAGS})
  set(target "drvbench-${impl}-${variant}-${DRVBENCH_RUSTC_TAG}")
  string(REPLACE ";" " " recorded "${RUSTC} ${flags}")
  if(P_RECORD)
    set(recorded "${recorded} (${P_RECORD})")
  endif()
  string(MAKE_C_IDENTIFIER "${target}" crate)
  drvbench_rust_crate(so NAME ${crate} ROOT ${P_ROOT} TYPE cdylib FLAGS ${flags}
    OUTPUT ${DRVBENCH_PLUGIN_DIR}/${target}.so
    SOURCES ${P_SOURCES} EXTERNS ${P_EXTERNS} DEPENDS ${P_DEPENDS} LINK_ARGS ${P_LINK_ARGS}
    ENV DRVBENCH_IMPL=${impl} DRVBENCH_VARIANT=${variant}
        "DRVBENCH_COMPILER_VERSION=${DRVBENCH_RUSTC_VERSION}" "DRVBENCH_FLAGS=${recorded}")
  add_custom_target(${target} ALL DEPENDS ${so})
  set_property(GLOBAL APPEND PROPERTY DRVBENCH_PLUGINS ${target})
endfunction()
