"""Return on investment, compounded yearly: pure arithmetic, no provider."""

from __future__ import annotations

from finance_service.models import RoiArguments, RoiResult


def compound_roi(arguments: RoiArguments) -> RoiResult:
    final_value = arguments.principal * (1 + arguments.rate / 100) ** arguments.years
    profit = final_value - arguments.principal
    return RoiResult(
        principal=arguments.principal,
        rate=arguments.rate,
        years=arguments.years,
        final_value=round(final_value, 2),
        profit=round(profit, 2),
        roi_percent=round(profit / arguments.principal * 100, 2),
    )
