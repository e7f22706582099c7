"""Epoch AI hardware data: ML accelerators and GPU clusters (AI supercomputers)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from aiatlas.sources.base import Rejects, Source, SourceFile
from aiatlas.sources.cleaning import Sheet, f, need, simple, slug
from aiatlas.sources.countries import iso3

PUBLISHER = "Epoch AI"
LICENCE = "CC BY 4.0"

HARDWARE_FIELDS = (
    f("name", "Hardware name", required=True),
    f("manufacturer", "Manufacturer"),
    f("type", "Type"),
    f("release_date", "Release date", kind="date"),
    f("release_price_usd", "Release price (USD)", kind="number"),
    f("fp16_tensor_flops", "Tensor-FP16/BF16 performance (FLOP/s)", kind="number"),
    f("fp8_flops", "FP8 performance (FLOP/s)", kind="number"),
    f("fp4_flops", "FP4 performance (FLOP/s)", kind="number"),
    f("fp64_flops", "FP64 (double precision) performance (FLOP/s)", kind="number"),
    f("fp32_flops", "FP32 (single precision) performance (FLOP/s)", kind="number"),
    f("tf32_flops", "TF32 (TensorFloat-32) performance (FLOP/s)", kind="number"),
    f("fp16_flops", "FP16 (half precision) performance (FLOP/s)", kind="number"),
    f("int16_ops", "INT16 performance (OP/s)", kind="number"),
    f("int8_ops", "INT8 performance (OP/s)", kind="number"),
    f("int4_ops", "INT4 performance (OP/s)", kind="number"),
    f("memory_bytes", "Memory (bytes)", kind="number"),
    f("memory_bandwidth_bytes_s", "Memory bandwidth (byte/s)", kind="number"),
    f("intranode_bandwidth_bytes_s", "Intranode bandwidth (byte/s)", kind="number"),
    f("internode_bandwidth_bits_s", "Internode bandwidth (bit/s)", kind="number"),
    f("tdp_w", "TDP (W)", kind="number"),
    f("die_size_mm2", "Die Size (mm^2)", "Die size (mm^2)", kind="number"),
    f("process_nm", "Process size (nm)", kind="number"),
    f("transistors_millions", "Transistors (millions)", kind="number"),
    f("foundry", "Foundry"),
    f("tpp_published", "Total processing performance (bit-OP/s)", kind="number"),
    f("max_performance", "Max performance", kind="number"),
    f("energy_efficiency", "Energy efficiency", kind="number"),
    f("price_performance", "Price-performance", kind="number"),
    f("datasheet_url", "Link to datasheet"),
)

CLUSTER_FIELDS = (
    f("name", "Name", required=True),
    f("status", "Status"),
    f("certainty", "Certainty"),
    f("country", "Country"),
    f("owner", "Owner"),
    f("sector", "Sector"),
    f("first_operational_date", "First Operational Date", kind="date"),
    f("h100_equivalents", "H100 equivalents", kind="number"),
    f("max_ops", "Max OP/s", kind="number"),
    f("ops_16bit", "16-bit OP/s", kind="number"),
    f("chip_type", "Chip type (primary)"),
    f("chip_quantity", "Chip quantity (primary)", kind="number"),
    f("total_chips", "Total number of AI chips", kind="number"),
    f("power_mw", "Power Capacity (MW)", kind="number"),
    f("hardware_cost_usd", "Hardware Cost", kind="number"),
    f("include_in_standard_analysis", "Include in Standard Analysis", kind="bool", empty=False),
    f("excluded", "Exclude", kind="bool", empty=False),  # a tick box: empty = not excluded
)


def clean_hardware(files: dict[str, Path], rejects: Rejects) -> dict[str, list[dict[str, Any]]]:
    """ml_hardware.csv -> hardware, one row per accelerator."""
    rows = simple(HARDWARE.id, "ml_hardware.csv", files, HARDWARE_FIELDS, rejects)
    for r in rows:
        r["hardware_id"] = slug(r["name"]) if r["name"] else None
    return {"hardware": rows}


def clean_clusters(files: dict[str, Path], rejects: Rejects) -> dict[str, list[dict[str, Any]]]:
    """gpu_clusters.csv -> gpu_clusters; country names become ISO alpha-3 (unknown -> reject)."""
    file = "gpu_clusters.csv"
    sheet = Sheet(CLUSTERS.id, file, need(files, file, CLUSTERS.id), CLUSTER_FIELDS, rejects,
                  date_order="mdy")
    out = []
    for row, c in sheet.rows():
        if not c["name"]:
            sheet.reject(row, "Name", None, "empty cluster name; row dropped")
            continue
        if c.get("country"):
            try:
                c["country"] = iso3(c["country"])
            except ValueError:
                sheet.reject(row, "Country", c["country"],
                             "unknown country name (expected a name pycountry knows); loaded as NULL")
                c["country"] = None
        out.append({"cluster_id": slug(c["name"]), **{fl.name: c.get(fl.name) for fl in CLUSTER_FIELDS}})
    return {"gpu_clusters": out}


HARDWARE = Source(
    id="epoch_ml_hardware", publisher=PUBLISHER, title="Machine Learning Hardware",
    licence=LICENCE, citation="Epoch AI, 'Data on Machine Learning Hardware'. Retrieved from "
                              "https://epoch.ai/data/machine-learning-hardware",
    homepage="https://epoch.ai/data/machine-learning-hardware",
    files=(SourceFile("ml_hardware.csv", "https://epoch.ai/data/ml_hardware.csv",
                      "epoch/ml_hardware.csv", as_of="2026-07-19",
                      known_sha256="a72edaf105f6eb178ef7206671e7828c2ccc5f534fecea8e1429411ad05efd94"),),
    tables=("hardware",), clean=clean_hardware)

CLUSTERS = Source(
    id="epoch_gpu_clusters", publisher=PUBLISHER, title="AI Supercomputers (GPU clusters)",
    licence=LICENCE + " (assumed from Epoch's general data licence)",
    citation="Epoch AI, 'Data on AI Supercomputers'. Retrieved from https://epoch.ai/data",
    homepage="https://epoch.ai/data",
    notes="Re-saved through a spreadsheet upstream: M/D/YYYY dates, 3-digit scientific notation.",
    files=(SourceFile("gpu_clusters.csv", "https://epoch.ai/data", "epoch/gpu_clusters.csv",
                      url_verified=False, as_of="2025-12-14",
                      known_sha256="03f573e0a2d2cce5b050ca2082ce15de25dd2286e4d7968c14544096da90f30e",
                      note="exact download URL not verifiable; the data hub is given"),),
    tables=("gpu_clusters",), clean=clean_clusters)

SOURCES = (HARDWARE, CLUSTERS)
