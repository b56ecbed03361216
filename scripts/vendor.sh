#!/usr/bin/env bash
# Vendors the front-end files envhome serves, from the npm registry into
# internal/web/static/vendor. Run by hand when a version changes; the Go
# build never needs Node.js (the results are committed).
#   jsQR      npm jsqr           minified with terser
#   ECharts   npm echarts        dist/echarts.min.js as published
#   icons     npm lucide-static  the icons envhome uses, as one SVG sprite
set -euo pipefail
JSQR=1.4.0 ECHARTS=6.1.0 LUCIDE=1.62.0 TERSER=5.51.4
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/internal/web/static/vendor
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent "jsqr@$JSQR" "echarts@$ECHARTS" "lucide-static@$LUCIDE" >/dev/null
for f in *.tgz; do mkdir -p "${f%.tgz}" && tar xzf "$f" -C "${f%.tgz}"; done

npx --yes "terser@$TERSER" "jsqr-$JSQR/package/dist/jsQR.js" --compress --mangle --comments false -o "$out/jsqr.min.js"
cp "jsqr-$JSQR/package/LICENSE" "$out/jsqr.LICENSE"
cp "echarts-$ECHARTS/package/dist/echarts.min.js" "$out/echarts.min.js"
cp "echarts-$ECHARTS/package/LICENSE" "$out/echarts.LICENSE"
cp "lucide-static-$LUCIDE/package/LICENSE" "$out/lucide.LICENSE"

# The sprite: one <symbol id="i-NAME"> per icon the templates use.
icons="house book-open calendar-check award message-square-plus bell building-2 map user-check users scroll-text settings user
ellipsis scan-line log-out languages chevron-right plus download upload circle-check triangle-alert clock qr-code
graduation-cap map-pin school handshake chart-column search filter x lightbulb"
{
  echo '<svg xmlns="http://www.w3.org/2000/svg"><!-- lucide-static '"$LUCIDE"', ISC licence (lucide.LICENSE) -->'
  for i in $icons; do
    body=$(sed -n '/^>/,/^<\/svg>/p' "lucide-static-$LUCIDE/package/icons/$i.svg" | sed '1d;$d' | tr -s ' \n' ' ')
    echo "<symbol id=\"i-$i\" viewBox=\"0 0 24 24\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\" stroke-linecap=\"round\" stroke-linejoin=\"round\">$body</symbol>"
  done
  echo '</svg>'
} > "$out/icons.svg"
ls -l "$out"
