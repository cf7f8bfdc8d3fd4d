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
  登录 login: 账户与控制台将在后续版本提供 (accounts arrive with the API; this build serves
              the health check, version and a placeholder page)
  停止 stop:  Ctrl+C

MSG
exec "$steward" serve --listen "$listen"
