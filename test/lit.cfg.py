# -*- Python -*-
import os
import shutil

import lit.formats
from lit.llvm import llvm_config

config.name = "llvm-btf-split"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".test", ".c", ".s", ".yaml"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.btfsplit_obj_root, "test")

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.btfsplit_tools_dir, append_path=True)

tools = ["llvm-btf-split", "yaml2obj", "llvm-objcopy", "llvm-readelf",
         "llvm-dwarfdump", "split-file"]
llvm_config.add_tool_substitutions(tools, [config.btfsplit_tools_dir,
                                           config.llvm_tools_dir])

config.substitutions.append(("%python", shutil.which("python3") or "python3"))
config.substitutions.append(("%utils", os.path.join(config.btfsplit_src_root,
                                                    "utils")))
config.substitutions.append(("%inputs", os.path.join(config.test_source_root,
                                                     "Inputs")))

# Optional oracles: tests that need them say REQUIRES: <feature>.
for tool in ["pahole", "bpftool", "gcc"]:
    if shutil.which(tool):
        config.available_features.add(tool)
clang = shutil.which("clang-22") or os.path.join(config.llvm_tools_dir, "clang")
if os.path.exists(clang):
    config.available_features.add("clang")
    config.substitutions.append(("%clang", clang))
if os.path.exists("/usr/include/bpf/btf.h"):
    config.available_features.add("libbpf")
if config.corpus_dir and os.path.exists(os.path.join(config.corpus_dir,
                                                     "vmlinux")):
    config.available_features.add("corpus")
    config.substitutions.append(("%corpus", config.corpus_dir))

# The LLVMBTFSplit CMake package of this build tree (cmake/CMakeLists.txt).
config.substitutions.append(("%btfsplit_pkg", os.path.join(
    config.btfsplit_obj_root, "lib", "cmake", "LLVMBTFSplit")))
if shutil.which("cmake") and shutil.which("ninja"):
    config.available_features.add("cmake-ninja")
if shutil.which("cmake") and shutil.which("make"):
    config.available_features.add("cmake-make")
config.substitutions.append(("%btfsplit_obj", config.btfsplit_obj_root))
