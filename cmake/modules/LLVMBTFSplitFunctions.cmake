# LLVMBTFSplitFunctions.cmake - dependency-tracked BTF commands for CMake.
#
# These functions give CMake builds (Ninja and Makefile generators) the
# guarantees kbuild's Makefile.modfinal gets from if_changed and
# if_changed_except:
#
#   * a command reruns when its expanded command line changes (Ninja tracks
#     this itself; for other generators a per-command stamp holding the
#     command is rewritten only when it changes, like kbuild's .cmd files);
#   * a module's link step never depends on the base (vmlinux); only its BTF
#     step does, together with the linked module and the tool, so a newer
#     vmlinux redoes every module's BTF without relinking any module;
#   * no rule has the same file as input and output: modules are linked to
#     <name>.ko.o and the BTF step writes <name>.ko from it;
#   * the tool's --depfile is used (DEPFILE) and, with Ninja, outputs are
#     restat: an output whose bytes would not change is not rewritten.
#
# Functions:
#
#   btf_add_base(<target> INPUT <elf> OUTPUT <elf> | DETACHED <file>
#                [FEATURES <feature>...] [ARGS <arg>...] [DEPENDS <dep>...]
#                [ALL])
#     Encode the full (vmlinux-style) BTF of INPUT into OUTPUT (a copy of INPUT
#     with .BTF added), or into the raw BTF file DETACHED (one of the two).
#
#   btf_add_module(<name> SOURCES <src>... OUTPUT <file>
#                  [COMPILE_OPTIONS <opt>...] [INCLUDE_DIRECTORIES <dir>...]
#                  [LINK_OPTIONS <opt>...])
#     Compile SOURCES (an OBJECT library <name>_objs) and link them with
#     `ld -r` into the relocatable module OUTPUT (e.g. foo.ko.o). Helper for
#     module builds; any other rule producing a relocatable object works too.
#
#   btf_add_split_modules(<target> BASE <elf-or-raw-btf> [BASE_TARGET <tgt>]
#                         MODULES <linked>... OUTPUTS <out>...
#                         [FEATURES <feature>...] [ARGS <arg>...] [ALL])
#     For each MODULES[i], write OUTPUTS[i]: the module with its split BTF
#     against BASE. Each step depends on its module, on BASE and on the tool.
#     BASE_TARGET (e.g. the target of btf_add_base) orders the steps after
#     the base is built when it is made in another directory.
#
# Variables:
#   LLVM_BTF_SPLIT_EXECUTABLE  the tool; defaults to the target
#                              LLVMBTFSplit::llvm-btf-split.
#   BTF_SPLIT_LAUNCHER         a command prepended to every command these
#                              functions create, followed by a tag such as
#                              `btf:foo.ko` or `link:foo.ko.o` (used by the
#                              tests to log which commands ran).
#
# Paths: INPUT, OUTPUT, DETACHED, BASE, MODULES and OUTPUTS may be relative;
# they are relative to the current binary directory (CMAKE_CURRENT_BINARY_DIR,
# where the files a build makes are), as add_custom_command's OUTPUT is.
# SOURCES and INCLUDE_DIRECTORIES of btf_add_module are relative to the
# current source directory, as for add_library. A file from the source tree
# used as INPUT or BASE needs an absolute path (${CMAKE_CURRENT_SOURCE_DIR}/..).
#
# Needs CMake 3.20 (DEPFILE with Makefile generators). Commands are created
# with policy CMP0116 NEW (Ninja: DEPFILE paths are relative to the binary
# directory) whatever the including project's cmake_minimum_required says.

include_guard(GLOBAL)
if(CMAKE_VERSION VERSION_LESS 3.20)
  message(FATAL_ERROR "LLVMBTFSplitFunctions.cmake needs CMake 3.20 or newer "
                      "(this is ${CMAKE_VERSION})")
endif()
# Functions run with the policies in force where they are defined.
cmake_policy(PUSH)
cmake_policy(SET CMP0116 NEW)

function(_btf_tool_command out_var)
  if(LLVM_BTF_SPLIT_EXECUTABLE)
    set(tool "${LLVM_BTF_SPLIT_EXECUTABLE}")
    set(dep "${LLVM_BTF_SPLIT_EXECUTABLE}")
  elseif(TARGET LLVMBTFSplit::llvm-btf-split)
    set(tool "$<TARGET_FILE:LLVMBTFSplit::llvm-btf-split>")
    set(dep "$<TARGET_FILE:LLVMBTFSplit::llvm-btf-split>")
  else()
    message(FATAL_ERROR "llvm-btf-split not found: set "
                        "LLVM_BTF_SPLIT_EXECUTABLE or find_package(LLVMBTFSplit)")
  endif()
  set(${out_var} "${tool}" PARENT_SCOPE)
  set(${out_var}_DEP "${dep}" PARENT_SCOPE)
endfunction()

function(_btf_features_args out_var)
  set(args)
  if(ARGN)
    list(JOIN ARGN "," features)
    list(APPEND args "--btf-features=${features}")
  endif()
  set(${out_var} "${args}" PARENT_SCOPE)
endfunction()

# Absolute path of a file named relative to the current binary directory;
# generator expressions such as $<TARGET_FILE:t> are kept as they are.
function(_btf_abs_binary out_var path)
  if(IS_ABSOLUTE "${path}" OR path MATCHES "^\\$<")
    set(${out_var} "${path}" PARENT_SCOPE)
  else()
    set(${out_var} "${CMAKE_CURRENT_BINARY_DIR}/${path}" PARENT_SCOPE)
  endif()
endfunction()

# Command-line stamp for generators that do not rerun a rule when only its
# command changes (everything but Ninja). The stamp is rewritten only when the
# expanded command differs, so it is newer than the output exactly then.
function(_btf_command_stamp out_var output)
  set(${out_var} "" PARENT_SCOPE)
  if(CMAKE_GENERATOR MATCHES "Ninja")
    return()
  endif()
  file(RELATIVE_PATH rel "${CMAKE_BINARY_DIR}" "${output}")
  string(REGEX REPLACE "[^A-Za-z0-9_.+-]" "_" rel "${rel}")
  set(stamp "${CMAKE_BINARY_DIR}/CMakeFiles/btf-cmd/${rel}.cmd")
  string(JOIN "\n" content ${ARGN})
  file(GENERATE OUTPUT "${stamp}" CONTENT "${content}\n")
  set(${out_var} "${stamp}" PARENT_SCOPE)
endfunction()

# The launcher prefix of a command: BTF_SPLIT_LAUNCHER and a tag, if set.
function(_btf_launcher out_var tag)
  if(BTF_SPLIT_LAUNCHER)
    set(${out_var} ${BTF_SPLIT_LAUNCHER} "${tag}" PARENT_SCOPE)
  else()
    set(${out_var} "" PARENT_SCOPE)
  endif()
endfunction()

# Add the custom command that runs the tool on one ELF file.
#   _btf_add_btf_command(TAG <tag> INPUT <in> OUTPUT <out> [DETACHED]
#                        ARGS <args...> DEPENDS <deps...>)
function(_btf_add_btf_command)
  cmake_parse_arguments(PARSE_ARGV 0 C "DETACHED" "TAG;INPUT;OUTPUT"
                        "ARGS;DEPENDS")
  _btf_tool_command(tool)
  set(depfile "${C_OUTPUT}.d")
  if(C_DETACHED)
    set(cmd ${tool} ${C_ARGS} "${C_INPUT}" --detached "${C_OUTPUT}"
            --depfile "${depfile}")
  else()
    set(cmd ${tool} ${C_ARGS} "${C_INPUT}" "${C_OUTPUT}"
            --depfile "${depfile}")
  endif()
  _btf_command_stamp(stamp "${C_OUTPUT}" ${cmd})
  set(extra)
  if(NOT CMAKE_GENERATOR MATCHES "Ninja")
    # Make has no restat: the tool leaves unchanged bytes alone, so refresh
    # the timestamp or the rule would run again on every build.
    set(extra COMMAND ${CMAKE_COMMAND} -E touch_nocreate "${C_OUTPUT}")
  endif()
  file(RELATIVE_PATH rel "${CMAKE_BINARY_DIR}" "${C_OUTPUT}")
  _btf_launcher(launch "${C_TAG}")
  add_custom_command(
    OUTPUT "${C_OUTPUT}"
    COMMAND ${launch} ${cmd}
    ${extra}
    DEPENDS "${C_INPUT}" ${tool_DEP} ${C_DEPENDS} ${stamp}
    DEPFILE "${depfile}"
    COMMENT "Generating BTF for ${rel}"
    COMMAND_EXPAND_LISTS
    VERBATIM)
endfunction()

function(btf_add_base target)
  cmake_parse_arguments(PARSE_ARGV 1 B "ALL" "INPUT;OUTPUT;DETACHED"
                        "FEATURES;ARGS;DEPENDS")
  if(NOT B_INPUT OR (NOT B_OUTPUT AND NOT B_DETACHED))
    message(FATAL_ERROR "btf_add_base: INPUT and OUTPUT or DETACHED needed")
  endif()
  if(B_OUTPUT AND B_DETACHED)
    message(FATAL_ERROR "btf_add_base: OUTPUT and DETACHED are mutually "
                        "exclusive (an ELF copy with .BTF, or raw BTF)")
  endif()
  _btf_abs_binary(input "${B_INPUT}")
  _btf_features_args(fargs ${B_FEATURES})
  if(B_DETACHED)
    _btf_abs_binary(output "${B_DETACHED}")
    set(detached DETACHED)
  else()
    _btf_abs_binary(output "${B_OUTPUT}")
    set(detached)
  endif()
  get_filename_component(name "${output}" NAME)
  _btf_add_btf_command(TAG "btf:${name}" INPUT "${input}" OUTPUT "${output}"
                       ${detached} ARGS ${fargs} ${B_ARGS}
                       DEPENDS ${B_DEPENDS})
  set(all)
  if(B_ALL)
    set(all ALL)
  endif()
  add_custom_target(${target} ${all} DEPENDS "${output}")
  set_property(TARGET ${target} PROPERTY BTF_OUTPUT "${output}")
endfunction()

function(btf_add_module name)
  cmake_parse_arguments(PARSE_ARGV 1 M "" "OUTPUT"
                        "SOURCES;COMPILE_OPTIONS;INCLUDE_DIRECTORIES;LINK_OPTIONS")
  if(NOT M_SOURCES OR NOT M_OUTPUT)
    message(FATAL_ERROR "btf_add_module: SOURCES and OUTPUT are needed")
  endif()
  _btf_abs_binary(output "${M_OUTPUT}")
  add_library(${name}_objs OBJECT ${M_SOURCES})
  target_compile_options(${name}_objs PRIVATE ${M_COMPILE_OPTIONS})
  target_include_directories(${name}_objs PRIVATE ${M_INCLUDE_DIRECTORIES})
  set_target_properties(${name}_objs PROPERTIES POSITION_INDEPENDENT_CODE OFF)
  if(NOT CMAKE_LINKER)
    message(FATAL_ERROR "btf_add_module: CMAKE_LINKER is not set")
  endif()
  set(cmd "${CMAKE_LINKER}" -r ${M_LINK_OPTIONS} -o "${output}"
          "$<TARGET_OBJECTS:${name}_objs>")
  _btf_command_stamp(stamp "${output}" ${cmd})
  get_filename_component(oname "${output}" NAME)
  _btf_launcher(launch "link:${oname}")
  add_custom_command(
    OUTPUT "${output}"
    COMMAND ${launch} ${cmd}
    # The objects as files, and the object library as a target: the link
    # rule is also pulled into every target that consumes its output (e.g.
    # btf_add_split_modules'), and under Makefile generators only the
    # target-level dependency orders it after the compile.
    DEPENDS "$<TARGET_OBJECTS:${name}_objs>" ${name}_objs ${stamp}
    COMMENT "Linking module ${oname}"
    COMMAND_EXPAND_LISTS
    VERBATIM)
  add_custom_target(${name} DEPENDS "${output}")
endfunction()

function(btf_add_split_modules target)
  cmake_parse_arguments(PARSE_ARGV 1 S "ALL" "BASE;BASE_TARGET"
                        "MODULES;OUTPUTS;FEATURES;ARGS")
  if(NOT S_BASE OR NOT S_MODULES)
    message(FATAL_ERROR "btf_add_split_modules: BASE and MODULES are needed")
  endif()
  list(LENGTH S_MODULES n)
  list(LENGTH S_OUTPUTS m)
  if(NOT n EQUAL m)
    message(FATAL_ERROR "btf_add_split_modules: MODULES and OUTPUTS must "
                        "have the same length (${n} vs ${m})")
  endif()
  _btf_abs_binary(base "${S_BASE}")
  _btf_features_args(fargs ${S_FEATURES})
  set(outputs)
  math(EXPR last "${n} - 1")
  foreach(i RANGE ${last})
    list(GET S_MODULES ${i} in)
    list(GET S_OUTPUTS ${i} out)
    _btf_abs_binary(in "${in}")
    _btf_abs_binary(out "${out}")
    if(in STREQUAL out)
      message(FATAL_ERROR "btf_add_split_modules: ${in} is both input and "
                          "output; link the module to an intermediate file")
    endif()
    get_filename_component(name "${out}" NAME)
    _btf_add_btf_command(TAG "btf:${name}" INPUT "${in}" OUTPUT "${out}"
                         ARGS --btf-base "${base}" ${fargs} ${S_ARGS}
                         DEPENDS "${base}")
    list(APPEND outputs "${out}")
  endforeach()
  set(all)
  if(S_ALL)
    set(all ALL)
  endif()
  add_custom_target(${target} ${all} DEPENDS ${outputs})
  if(S_BASE_TARGET)
    add_dependencies(${target} ${S_BASE_TARGET})
  endif()
endfunction()

cmake_policy(POP)
