#!/usr/bin/env bash
# `make run`: the demo city on first run, then the server. Expects `make build` to have run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
steward=./build/steward
listen="${STEWARD_LISTEN:-127.0.0.1:8080}"

if [[ ! -f data/steward.db ]]; then
  echo "首次运行：正在生成演示城市 龙泉市（约 7 万居民）… / first run: building the demo city"
fi
"$steward" demo --if-empty

cat <<MSG

  城市管家 Steward
  地址 URL:   http://${listen}/
  健康检查:   http://${listen}/healthz
  数据库:     ./data/steward.db (SQLite)   个人信息密钥 key file: ./data/pii.key
  登录 login: 初始管理员 admin，密码见 ./data/initial-admin.txt（首次启动时生成并打印一次，
              首次登录须修改） initial administrator: see ./data/initial-admin.txt
  接口 API:   http://${listen}/api/v1/openapi.json
  停止 stop:  Ctrl+C

MSG
exec "$steward" serve --listen "$listen"
