# Installs the co-production course from this folder, with no internet, and starts it.
#   powershell -ExecutionPolicy Bypass -File install.ps1             install, then open JupyterLab
#   powershell -ExecutionPolicy Bypass -File install.ps1 -App        then Module 1 as a page, code hidden
#   powershell -ExecutionPolicy Bypass -File install.ps1 -NoStart    install only (start-course.ps1 later)
#   ... install.ps1 -Target D:\course                                install somewhere else
# Running it again is safe: the trainee's own work in my-course is never overwritten.
param(
  [string]$Target = (Join-Path $HOME "co-production-course"),
  [switch]$App,
  [switch]$NoStart
)
$ErrorActionPreference = "Stop"
$Here = Split-Path -Parent $MyInvocation.MyCommand.Path
$PythonWanted = "@PYTHON_VERSION@"

# This folder's wheels are for one Python version: the Python launcher finds it.
$found = & py "-$PythonWanted" -c "import sys; print('%d.%d' % sys.version_info[:2])" 2>$null
if ($LASTEXITCODE -ne 0 -or $found -ne $PythonWanted) {
  Write-Error "This bundle needs Python $PythonWanted (from python.org, with the py launcher). Install it, or make a bundle for the Python this computer has (coproduction bundle --python)."
  exit 1
}

# Only the wheels in this folder are used: no package index, no pip settings of this computer.
Get-ChildItem Env: | Where-Object { $_.Name -like "PIP_*" } | ForEach-Object { Remove-Item "Env:$($_.Name)" }
$env:PIP_CONFIG_FILE = "nul"
$env:PIP_DISABLE_PIP_VERSION_CHECK = "1"

Write-Host "Installing the course into $Target (a minute or two, no internet needed)..."
New-Item -ItemType Directory -Force -Path $Target | Out-Null
& py "-$PythonWanted" -m venv (Join-Path $Target "venv")
if ($LASTEXITCODE -ne 0) { Write-Error "Python could not make a virtual environment."; exit 1 }
$Bin = Join-Path $Target "venv\Scripts"
& (Join-Path $Bin "python.exe") -m pip install --quiet --no-index --find-links (Join-Path $Here "wheels") coproduction-toolkit
if ($LASTEXITCODE -ne 0) { Write-Error "pip could not install the course from this folder's wheels."; exit 1 }

# The course's own copy of the modules and the trainee's JupyterLab settings; the
# trainee works in my-course, which is only ever topped up.
$Course = Join-Path $Target "course"
if (Test-Path $Course) { Remove-Item -Recurse -Force $Course }
Copy-Item -Recurse (Join-Path $Here "course") $Course
& (Join-Path $Bin "coproduction.exe") workspace (Join-Path $Target "my-course") --modules (Join-Path $Course "modules")

$Start = @'
# Starts the co-production course on this computer only (127.0.0.1). Ctrl+C stops it.
#   start-course.ps1         JupyterLab at the course map (00-start-here)
#   start-course.ps1 -App    Module 1 as a page with the code hidden
param([switch]$App, [string]$Module = "1")
$Dir = Split-Path -Parent $MyInvocation.MyCommand.Path
$Bin = Join-Path $Dir "venv\Scripts"
if ($App) {
  & (Join-Path $Bin "coproduction.exe") app $Module --folder (Join-Path $Dir "my-course") --modules (Join-Path $Dir "course\modules")
} else {
  $env:JUPYTER_CONFIG_PATH = Join-Path $Dir "course\jupyterlab-trainee"
  & (Join-Path $Bin "jupyter.exe") lab --ServerApp.ip=127.0.0.1 --ServerApp.port=8888 `
    --LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate `
    --LabApp.extension_manager=readonly "--ServerApp.root_dir=$(Join-Path $Dir 'my-course')" `
    --LabApp.default_url=/lab/tree/modules/00-start-here.ipynb
}
'@
Set-Content -Path (Join-Path $Target "start-course.ps1") -Value $Start
Write-Host "Done. To start the course again later: $(Join-Path $Target 'start-course.ps1')"

if ($App) { & (Join-Path $Target "start-course.ps1") -App }
elseif (-not $NoStart) { & (Join-Path $Target "start-course.ps1") }
