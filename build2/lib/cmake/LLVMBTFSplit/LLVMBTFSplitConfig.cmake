# LLVMBTFSplitConfig.cmake - find_package(LLVMBTFSplit CONFIG) support.
#
# Provides the imported executable LLVMBTFSplit::llvm-btf-split and the
# functions of LLVMBTFSplitFunctions.cmake (btf_add_base, btf_add_module,
# btf_add_split_modules).

set(LLVMBTFSplit_TOOL "/work/wt/writer/build2/bin/llvm-btf-split")
set(LLVMBTFSplit_CMAKE_DIR "/work/wt/writer/cmake/modules")

if(NOT TARGET LLVMBTFSplit::llvm-btf-split)
  add_executable(LLVMBTFSplit::llvm-btf-split IMPORTED)
  set_target_properties(LLVMBTFSplit::llvm-btf-split PROPERTIES
    IMPORTED_LOCATION "${LLVMBTFSplit_TOOL}")
endif()
include("${LLVMBTFSplit_CMAKE_DIR}/LLVMBTFSplitFunctions.cmake")
set(LLVMBTFSplit_FOUND TRUE)
