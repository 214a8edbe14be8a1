#!/usr/bin/env bash
# A document of N parameterised routes in the Easemob shape, for the compile-cost script and
# the router bench (tests/fixtures/routes600/ is `routes.sh 600`): groups of three under
# `/{org_name}/{app_name}/areaK/items`, the third with one more parameter.
#
#   bash tests/scripts/routes.sh 600 > tests/fixtures/routes600/routes.md
set -euo pipefail

n=${1:?usage: routes.sh N}
echo "# Generated routes"
echo
echo "| API | Method | URL | Limit |"
echo "| :-- | :-- | :-- | :-- |"
for ((i = 0; i < n; i++)); do
    group=$((i / 3))
    case $((i % 3)) in
        0) path="/{org_name}/{app_name}/area$group/items" ;;
        1) path="/{org_name}/{app_name}/area$group/items/list" ;;
        2) path="/{org_name}/{app_name}/area$group/items/{item_id}" ;;
    esac
    method=GET
    [ $((i % 2)) -eq 0 ] && method=POST
    echo "| Route $i | $method | $path | 10 次/秒/App Key |"
done
