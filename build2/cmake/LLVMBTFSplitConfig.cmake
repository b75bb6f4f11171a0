# LLVMBTFSplitConfig.cmake - find_package(LLVMBTFSplit CONFIG) support.
#
# Provides the imported executable LLVMBTFSplit::llvm-btf-split and the
# functions of LLVMBTFSplitFunctions.cmake (btf_add_base, btf_add_module,
# btf_add_split_modules).

get_filename_component(_btfsplit_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
set(LLVMBTFSplit_TOOL "${_btfsplit_prefix}/bin/llvm-btf-split")
set(LLVMBTFSplit_CMAKE_DIR "${CMAKE_CURRENT_LIST_DIR}")

if(NOT TARGET LLVMBTFSplit::llvm-btf-split)
  add_executable(LLVMBTFSplit::llvm-btf-split IMPORTED)
  set_target_properties(LLVMBTFSplit::llvm-btf-split PROPERTIES
    IMPORTED_LOCATION "${LLVMBTFSplit_TOOL}")
endif()
include("${LLVMBTFSplit_CMAKE_DIR}/LLVMBTFSplitFunctions.cmake")
set(LLVMBTFSplit_FOUND TRUE)
