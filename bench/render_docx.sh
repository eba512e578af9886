#!/usr/bin/env bash
# Render a .docx to PDF and PNG pages, to look at an export the way a reader will see it.
#
#   bench/render_docx.sh path/to/summary.docx [outdir] [dpi]
#
# Writes outdir/<name>.pdf and outdir/page-1.png, page-2.png, ... (outdir defaults to the
# .docx's directory, dpi to 60). Needs: libreoffice-writer, poppler-utils, fonts-noto-cjk
#   apt-get install -y --no-install-recommends libreoffice-writer fonts-noto-cjk poppler-utils
#
# The GB/T 9704 fonts (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312, 宋体) are rarely installed on
# Linux, so a private fontconfig file maps them to Noto CJK: serif for 宋/仿宋/楷 and the title
# (bold), sans for 黑体. Shapes differ from the real fonts; sizes, spacing and layout do not.
set -euo pipefail

if [[ $# -lt 1 || ! -f "$1" ]]; then
  echo "usage: $0 file.docx [outdir] [dpi]" >&2
  exit 2
fi
docx="$(realpath "$1")"
outdir="$(realpath -m "${2:-$(dirname "$docx")}")"
dpi="${3:-60}"
for tool in libreoffice pdftoppm; do
  command -v "$tool" >/dev/null || { echo "$tool not found (see the header of $0)" >&2; exit 1; }
done
mkdir -p "$outdir"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

alias_to() {  # alias_to FAMILY TARGET [WEIGHT]
  local weight=""
  [[ -n "${3:-}" ]] && weight="<edit name=\"weight\" mode=\"assign\"><const>$3</const></edit>"
  cat <<XML
  <match target="pattern">
    <test name="family"><string>$1</string></test>
    <edit name="family" mode="assign" binding="strong"><string>$2</string></edit>
    $weight
  </match>
XML
}
{
  echo '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
  echo '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
  alias_to "方正小标宋简体" "Noto Serif CJK SC" bold
  alias_to "仿宋_GB2312" "Noto Serif CJK SC"
  alias_to "仿宋" "Noto Serif CJK SC"
  alias_to "楷体_GB2312" "Noto Serif CJK SC"
  alias_to "楷体" "Noto Serif CJK SC"
  alias_to "宋体" "Noto Serif CJK SC"
  alias_to "黑体" "Noto Sans CJK SC"
  echo '</fontconfig>'
} >"$work/fonts.conf"
export FONTCONFIG_FILE="$work/fonts.conf"

# A private LibreOffice profile, so a running LibreOffice does not swallow the conversion.
libreoffice -env:UserInstallation="file://$work/profile" --headless \
  --convert-to pdf --outdir "$outdir" "$docx" >/dev/null
pdf="$outdir/$(basename "${docx%.*}").pdf"
[[ -f "$pdf" ]] || { echo "conversion failed: no $pdf" >&2; exit 1; }

rm -f "$outdir"/page-*.png
pdftoppm -png -r "$dpi" "$pdf" "$outdir/page"
echo "$pdf"
ls "$outdir"/page-*.png
