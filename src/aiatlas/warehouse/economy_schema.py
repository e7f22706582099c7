"""Table contracts of Epoch's AI companies and data-centres data (the economy chapter's
tables): every column with its type, unit and meaning (see schema.py)."""
from __future__ import annotations

from aiatlas.warehouse.column import Column

_c = Column

TABLES: dict[str, tuple[Column, ...]] = {
    "ai_companies": (
        _c("name", "VARCHAR", "", "Company"),
        _c("organization", "VARCHAR", "", "Organization name as in the models tables"),
        _c("company_type", "VARCHAR", "", "Epoch's company type"),
        _c("product_domains", "VARCHAR[]", "", "Product domains"),
        _c("founding_date", "DATE", "", "Founding date"),
    ),
    "ai_company_compute_spend": (
        _c("id", "VARCHAR", "", "Epoch's record id"),
        _c("company", "VARCHAR", "", "Company"),
        _c("amount_usd", "DOUBLE", "USD", "Reported compute spend"),
        _c("categories", "VARCHAR[]", "", "Spend categories"),
        _c("period_type", "VARCHAR", "", "Period the amount covers (Year, ...)"),
        _c("date", "DATE", "", "End of the period"),
        _c("report_date", "DATE", "", "When it was reported"),
        _c("confidence", "VARCHAR", "", "Epoch's confidence"),
        _c("inference_spend_usd", "DOUBLE", "USD", "Inference compute spend"),
        _c("rnd_spend_usd", "DOUBLE", "USD", "R&D compute spend"),
        _c("total_spend_usd", "DOUBLE", "USD", "Total compute spend"),
    ),
    "ai_company_funding_rounds": (
        _c("id", "VARCHAR", "", "Epoch's record id"),
        _c("company", "VARCHAR", "", "Company"),
        _c("close_date", "DATE", "", "Close date; NULL while in discussion"),
        _c("status", "VARCHAR", "", "Closed, Late discussions, ..."),
        _c("equity_usd", "DOUBLE", "USD", "Equity funding"),
        _c("debt_usd", "DOUBLE", "USD", "Debt funding"),
        _c("valuation_post_money_usd", "DOUBLE", "USD", "Post-money valuation"),
        _c("report_date", "DATE", "", "When it was reported"),
        _c("types", "VARCHAR[]", "", "Round types (Primary, Debt, ...)"),
        _c("confidence", "VARCHAR", "", "Epoch's confidence"),
    ),
    "ai_company_revenue": (
        _c("company", "VARCHAR", "", "Company"),
        _c("date", "DATE", "", "Date of the report"),
        _c("annualized_revenue_usd", "DOUBLE", "USD per year", "Revenue normalized to annual"),
    ),
    "ai_company_staff": (
        _c("id", "VARCHAR", "", "Epoch's record id"),
        _c("company", "VARCHAR", "", "Company"),
        _c("staff_count", "DOUBLE", "people", "Staff count"),
        _c("date", "DATE", "", "Date of the count"),
        _c("type", "VARCHAR", "", "Whole company or a division/role"),
        _c("division", "VARCHAR", "", "Division name"),
        _c("confidence", "VARCHAR", "", "Epoch's confidence"),
    ),
    "ai_company_usage": (
        _c("id", "VARCHAR", "", "Epoch's record id"),
        _c("company", "VARCHAR", "", "Company"),
        _c("product", "VARCHAR", "", "Product"),
        _c("active_users", "DOUBLE", "users", "Active users"),
        _c("active_users_period", "VARCHAR", "", "Daily, Weekly, Monthly"),
        _c("daily_tokens", "DOUBLE", "tokens per day", "Tokens processed per day"),
        _c("daily_messages", "DOUBLE", "messages per day", "Messages per day"),
        _c("date", "DATE", "", "Date the figure refers to"),
        _c("report_date", "DATE", "", "When it was reported"),
        _c("confidence", "VARCHAR", "", "Epoch's confidence"),
    ),
    "data_centers": (
        _c("handle", "VARCHAR", "", "Epoch's data-center handle (joins data_center_timelines)"),
        _c("title", "VARCHAR", "", "Display title"),
        _c("project", "VARCHAR", "", "Project, with Epoch's #confidence tag"),
        _c("address", "VARCHAR", "", "Address"),
        _c("latitude", "DOUBLE", "degrees", "Latitude, north positive"),
        _c("longitude", "DOUBLE", "degrees", "Longitude, east positive"),
        _c("owner", "VARCHAR", "", "Owner, with Epoch's #confidence tag"),
        _c("users", "VARCHAR", "", "Users, with Epoch's #confidence tag"),
        _c("h100_equivalents", "DOUBLE", "H100 equivalents", "Current compute"),
        _c("power_mw", "DOUBLE", "MW", "Current power"),
        _c("capital_cost_usd_billions", "DOUBLE", "2025 USD billions", "Current total capital cost"),
    ),
    "data_center_timelines": (
        _c("date", "DATE", "", "Date of the event"),
        _c("data_center", "VARCHAR", "", "data_centers.handle"),
        _c("construction_status", "VARCHAR", "", "What happened"),
        _c("power_mw", "DOUBLE", "MW", "Power at that date"),
        _c("h100_equivalents", "DOUBLE", "H100 equivalents", "Compute at that date"),
        _c("buildings_operational", "DOUBLE", "buildings", "Buildings operational"),
        _c("capital_cost_usd_billions", "DOUBLE", "2025 USD billions", "Total capital cost"),
        _c("compute_cost_usd_billions", "DOUBLE", "2025 USD billions", "Compute cost"),
        _c("construction_cost_usd_billions", "DOUBLE", "2025 USD billions", "Construction cost"),
        _c("water_use_mgd", "DOUBLE", "million gallons per day", "Water use"),
        _c("ops_8bit", "DOUBLE", "OP/s", "8-bit performance"),
    ),
}
