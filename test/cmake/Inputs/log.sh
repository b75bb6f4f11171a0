#!/bin/sh
# log.sh TAG COMMAND... - append TAG to $BTF_TEST_LOG, then run COMMAND.
tag=$1
shift
echo "$tag" >> "${BTF_TEST_LOG:?}"
exec "$@"
