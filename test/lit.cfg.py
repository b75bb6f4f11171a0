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

tools = ["llvm-btf-split", "llvm-btf-split-pahole", "yaml2obj", "llvm-objcopy",
         "llvm-readelf", "llvm-readobj", "llvm-dwarfdump", "split-file"]
llvm_config.add_tool_substitutions(tools, [config.btfsplit_tools_dir,
                                           config.llvm_tools_dir])

config.substitutions.append(("%python", shutil.which("python3") or "python3"))
config.substitutions.append(("%utils", os.path.join(config.btfsplit_src_root,
                                                    "utils")))
config.substitutions.append(("%inputs", os.path.join(config.test_source_root,
                                                     "Inputs")))

# A real kbuild run (utils/kbuild-module-test.sh) is slow: only with
# `lit -Dkbuild=1`.
if lit_config.params.get("kbuild"):
    config.available_features.add("kbuild")
# test/distill/kbuild-distill.test: Debian 13's 6.12 headers need its gcc-14;
# -Dkbuild_chroot=DIR (a Debian 13 root) [-Dkbuild_debs=DIR (the headers and
# kbuild .debs)] runs the build there (utils/kbuild-distill-test.sh --chroot).
kbuild_distill_args = ""
if lit_config.params.get("kbuild_chroot"):
    kbuild_distill_args += " --chroot " + os.path.abspath(
        lit_config.params["kbuild_chroot"])
if lit_config.params.get("kbuild_debs"):
    kbuild_distill_args += " --debs " + os.path.abspath(
        lit_config.params["kbuild_debs"])
config.substitutions.append(("%kbuild_distill_args", kbuild_distill_args))

# A real clang-built kernel, built and booted (utils/clang-kernel.sh), takes
# 10-25 minutes the first time: only with `lit -Dclang_kernel=CACHE_DIR` (the
# cache keeps the source tree and the builds between runs).
# -Dclang_kernel_ref=PAHOLE names the reference pahole (1.30; default: pahole
# on PATH).
if lit_config.params.get("clang_kernel"):
    config.available_features.add("clang_kernel")
    config.substitutions.append(("%{clang_kernel_cache}",
                                 lit_config.params["clang_kernel"]))
    config.substitutions.append(("%{clang_kernel_ref}", lit_config.params.get(
        "clang_kernel_ref", shutil.which("pahole") or "pahole")))

# Optional oracles: tests that need them say REQUIRES: <feature>.
for tool in ["pahole", "bpftool", "gcc", "ninja"]:
    if shutil.which(tool):
        config.available_features.add(tool)
clang = shutil.which("clang-22") or os.path.join(config.llvm_tools_dir, "clang")
if os.path.exists(clang):
    config.available_features.add("clang")
    config.substitutions.append(("%clang", clang))
# libbpf: the libbpf-dedup oracle (utils/libbpf-dedup) was built, against the
# bpf/btf.h that CMake's find_path found (LIBBPF_INCLUDE_DIR).
libbpf_dedup = os.path.join(config.btfsplit_obj_root, "utils", "libbpf-dedup",
                            "libbpf-dedup")
libbpf_include = getattr(config, "libbpf_include_dir", "")
if (libbpf_include and not libbpf_include.endswith("-NOTFOUND")
        and os.path.exists(os.path.join(libbpf_include, "bpf", "btf.h"))
        and os.path.exists(libbpf_dedup)):
    config.available_features.add("libbpf")
    config.substitutions.append(("%libbpf-dedup", libbpf_dedup))
if config.corpus_dir and os.path.exists(os.path.join(config.corpus_dir,
                                                     "vmlinux")):
    config.available_features.add("corpus")
    config.substitutions.append(("%corpus", config.corpus_dir))

# The Debian 13 6.12 corpus (shared/corpus/fetch-kernel-6.12.sh DIR), opt-in:
# lit -Dcorpus612=DIR.
corpus612 = lit_config.params.get("corpus612")
if corpus612 and os.path.exists(os.path.join(corpus612, "pristine", "vmlinux")):
    config.available_features.add("corpus612")
    config.substitutions.append(("%corpus612", corpus612))
# Reference pahole releases (shared/anchors/build-pahole.sh VERSION PREFIX),
# opt-in: lit -Dpahole130=PATH -Dpahole131=PATH.
for feature in ("pahole130", "pahole131"):
    path = lit_config.params.get(feature)
    if path and os.access(path, os.X_OK):
        config.available_features.add(feature)
        config.substitutions.append(("%" + feature, path))

# btfcmp.py (BTF equivalence modulo type-ID order): lit param btfcmp=PATH,
# default the shared copy beside the checkout (../shared, as CI lays it).
btfcmp = os.path.abspath(lit_config.params.get("btfcmp", os.path.join(
    os.path.dirname(config.btfsplit_src_root), "shared", "tools", "btfcmp.py")))
if os.path.exists(btfcmp):
    config.available_features.add("btfcmp")
    config.substitutions.append(("%btfcmp", "python3 " + btfcmp))
    config.substitutions.append(("%{btfcmp_py}", btfcmp))
    # utils/kbuild-module-test.sh reads it.
    config.environment["BTFCMP"] = btfcmp
# The LLVMBTFSplit CMake package of this build tree (cmake/CMakeLists.txt).
config.substitutions.append(("%btfsplit_pkg", os.path.join(
    config.btfsplit_obj_root, "lib", "cmake", "LLVMBTFSplit")))
if shutil.which("cmake") and shutil.which("ninja"):
    config.available_features.add("cmake-ninja")
if shutil.which("cmake") and shutil.which("make"):
    config.available_features.add("cmake-make")
config.substitutions.append(("%btfsplit_obj", config.btfsplit_obj_root))

# The distilled-base and relocation corpus checks (test/distill/corpus-*.test)
# are opt-in: `lit -Dcorpus612=DIR -Dpahole130=PATH` (above) and
# `lit -Dcorpus=DIR -Dcorpus_old=DIR` (two Debian 6.1 ABIs, e.g. ABI=6.1.0-53
# of shared/corpus/fetch-kernel.sh). Their substitutions (%sixtwelve_corpus,
# %old_corpus) must not start with %corpus, which lit substitutes first.
if "corpus612" in config.available_features:
    config.substitutions.append(("%sixtwelve_corpus", os.path.abspath(corpus612)))
corpus_old = lit_config.params.get("corpus_old")
if corpus_old and os.path.exists(os.path.join(corpus_old, "vmlinux")):
    config.available_features.add("corpus-old")
    config.substitutions.append(("%old_corpus", os.path.abspath(corpus_old)))
# utils/check-relocate.sh reads BTFCMP.
if os.path.exists(btfcmp):
    config.environment["BTFCMP"] = os.path.abspath(btfcmp)
