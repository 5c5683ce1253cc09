using System.Numerics;
using TreasuryManager.Models.Risk;

namespace TreasuryManager.Strategy.Rules;

/// <summary>
/// The two gas rules of a rebalance, in one place: the benefit must beat the gas by the configured margin
/// (<see cref="BenefitBeatsGas"/>, checked by the Decider with the assumed gas and again by the keeper's Guard with the
/// estimate), and a non-urgent transaction waits while the next base fee is above the ceiling
/// (<see cref="WaitsForGas"/>, checked by the keeper's Guard, the executor and the backtest).
/// </summary>
public static class GasRules
{
    /// <summary>c = gas × gas price × ETH price in quote (docs/models.md, the band), in quote tokens.</summary>
    public static double Cost(long gasUnits, BigInteger gasPriceWei, double ethPriceInQuote) => Band.GasCost(gasUnits, (double)gasPriceWei, ethPriceInQuote);

    /// <summary>Whether an expected benefit is worth a gas cost: benefit ≥ margin × cost.</summary>
    public static bool BenefitBeatsGas(double expectedBenefit, double gasCost, double margin) => expectedBenefit >= margin * gasCost;

    /// <summary>Whether a transaction waits this block: not urgent and the next base fee above the ceiling.</summary>
    public static bool WaitsForGas(bool urgent, BigInteger nextBaseFee, BigInteger baseFeeCeiling) => !urgent && nextBaseFee > baseFeeCeiling;
}
