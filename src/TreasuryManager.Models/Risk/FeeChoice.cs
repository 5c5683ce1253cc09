namespace TreasuryManager.Models.Risk;

/// <summary>The chosen fee and why.</summary>
/// <param name="FeePips">The fee, in pips (1e-6), within the bounds it was chosen in.</param>
/// <param name="NetYieldPerDay">Expected noise fee income − arbitrage loss at that fee, per unit of value per day.</param>
/// <param name="CurrentNetYieldPerDay">The same at the pool's current fee (what a change of fee gains over).</param>
public readonly record struct FeeChoiceResult(int FeePips, double NetYieldPerDay, double CurrentNetYieldPerDay, string Why);

/// <summary>
/// The fee from the fee-versus-arbitrage trade-off (docs/models.md, "The fee: flow against the loss to arbitrage";
/// Campbell, Bergault, Milionis and Nutz 2025, "Optimal fees for liquidity provision in AMMs", arXiv 2508.08152;
/// Nezlobin and Tassy 2025, arXiv 2505.05113). Per unit of the position's value and per day, at fee f:
/// <list type="bullet">
/// <item>the noise traders' fees are y(f) = y₀·(f/f₀)·e^(−k·(f − f₀)): y₀ the fee yield observed at the pool's current fee
/// f₀, k the decay of the trade intensity with the distance from the mid price (the intensity estimator's k), so the
/// volume thins as e^(−k·f) and each unit pays f;</item>
/// <item>the loss to arbitrage is ℓ(f) = (σ²/8)·c·1/(1 + 0.8582·γ(f)/σ_b): the range's LVR (c its concentration,
/// <see cref="RangeWidth.Concentration"/>) cut by the fee as Nezlobin and Tassy's closed form says, γ(f) = −2·ln(1 − f)
/// the spread the fee opens around the pool's price (measured within 1% by <c>treasury reproduce lvr-fees</c>) and
/// σ_b = σ·√(τ/1 day) the log-price volatility between two arbitrage opportunities τ apart (one block).</item>
/// </list>
/// The fee maximises J(f) = y(f) − ℓ(f) over the policy's bounds (a log grid over the bounds, then golden section).
/// Without volatility it is 1/k (the noise traders' revenue-maximising fee); as σ_b grows past the fee's spread the
/// arbitrage term pulls it up: the fee steps up when volatility is high. Pure.
/// </summary>
public static class FeeChoice
{
    /// <summary>Nezlobin and Tassy's constant: the arbitrage loss with a fee over the loss without is 1/(1 + 0.8582·γ/σ_b).</summary>
    public const double NezlobinTassyConstant = 0.8582;

    /// <summary>Points of the grid over the fee bounds before the refinement.</summary>
    public const int GridPoints = 128;

    /// <summary>Pips per unit of fee (1e6).</summary>
    public const double PipsPerUnit = 1e6;

    /// <summary>γ(f) = −2·ln(1 − f): the relative spread a fee f opens around the pool's price (buy at P/(1−f), sell at P·(1−f)).</summary>
    public static double Spread(double fee)
    {
        if (!(fee is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(fee), fee, "a fee must lie in [0, 1)");
        return -2 * Math.Log(1 - fee);
    }

    /// <summary>ℓ(f)/ℓ(0) = 1/(1 + 0.8582·γ(f)/σ_b).</summary>
    public static double ArbitrageLossRatio(double fee, double sigmaPerBlock)
    {
        Guard.Positive(sigmaPerBlock);
        return 1 / (1 + NezlobinTassyConstant * Spread(fee) / sigmaPerBlock);
    }

    /// <summary>
    /// The fee income the pool would have earned at <paramref name="currentFeePips"/>, from what it earned at each fee it
    /// quoted: Σ_f y_f·(f₀/f)·e^(−k·(f₀ − f)) — the volume paid at f would have been e^(−k·(f₀ − f)) times as large at
    /// f₀ (the intensity model) and each unit pays f₀ instead of f. At a single fee equal to f₀ it is that fee's income.
    /// </summary>
    /// <param name="incomeByFeePips">Fee income (any unit per day) earned at each fee (pips &gt; 0).</param>
    public static double IncomeAtFee(IEnumerable<KeyValuePair<int, double>> incomeByFeePips, int currentFeePips, double intensityK)
    {
        ArgumentNullException.ThrowIfNull(incomeByFeePips);
        if (currentFeePips <= 0) throw new ArgumentOutOfRangeException(nameof(currentFeePips), currentFeePips, "the pool's current fee must be positive");
        Guard.NonNegative(intensityK);
        double total = 0;
        foreach (var (feePips, income) in incomeByFeePips)
        {
            if (feePips <= 0) throw new ArgumentOutOfRangeException(nameof(incomeByFeePips), feePips, "income was earned at a non-positive fee");
            total += feePips == currentFeePips ? income : income * ((double)currentFeePips / feePips) * Math.Exp(-intensityK * (currentFeePips - feePips) / PipsPerUnit);
        }
        return total;
    }

    /// <summary>J(f) per unit of value per day.</summary>
    public static double NetYield(double fee, double currentFee, double feeYieldPerDay, double intensityK, double sigmaPerDay, double concentration, double sigmaPerBlock)
    {
        var noise = feeYieldPerDay * (fee / currentFee) * Math.Exp(-intensityK * (fee - currentFee));
        var arbitrage = sigmaPerDay * sigmaPerDay / 8 * concentration * ArbitrageLossRatio(fee, sigmaPerBlock);
        return noise - arbitrage;
    }

    /// <param name="currentFeePips">The pool's fee now, at which <paramref name="feeYieldPerDay"/> was observed (pips, &gt; 0).</param>
    /// <param name="feeYieldPerDay">The pool's fee income per day over its value, observed (&gt; 0).</param>
    /// <param name="intensityK">k: the trade intensity's decay per unit of relative distance from the mid price (&gt; 0).</param>
    /// <param name="sigmaPerDay">σ of the log price per √day (&gt; 0).</param>
    /// <param name="concentration">c of the range the fee will apply to (≥ 1).</param>
    /// <param name="arbitrageIntervalSeconds">τ: seconds between two arbitrage opportunities (a block), &gt; 0.</param>
    public static FeeChoiceResult Choose(int currentFeePips, double feeYieldPerDay, double intensityK, double sigmaPerDay, double concentration,
        double arbitrageIntervalSeconds, int minFeePips, int maxFeePips)
    {
        if (currentFeePips <= 0) throw new ArgumentOutOfRangeException(nameof(currentFeePips), currentFeePips, "the pool's current fee must be positive (the observed yield is per fee)");
        Guard.Positive(feeYieldPerDay);
        Guard.Positive(intensityK);
        Guard.Positive(sigmaPerDay);
        if (!(concentration >= 1)) throw new ArgumentOutOfRangeException(nameof(concentration), concentration, "a range's concentration is at least 1 (the full range)");
        Guard.Positive(arbitrageIntervalSeconds);
        if (minFeePips <= 0) throw new ArgumentOutOfRangeException(nameof(minFeePips), minFeePips, "the smallest fee must be positive");
        if (maxFeePips < minFeePips || maxFeePips >= PipsPerUnit) throw new ArgumentOutOfRangeException(nameof(maxFeePips), maxFeePips, "the largest fee must lie in [minFeePips, 1e6)");
        var sigmaPerBlock = sigmaPerDay * Math.Sqrt(arbitrageIntervalSeconds / 86_400);
        var f0 = currentFeePips / PipsPerUnit;
        double J(double f) => NetYield(f, f0, feeYieldPerDay, intensityK, sigmaPerDay, concentration, sigmaPerBlock);
        var (best, bestJ) = LogGridSearch.Maximise(J, minFeePips / PipsPerUnit, maxFeePips / PipsPerUnit, GridPoints, preferred: minFeePips / PipsPerUnit);
        var pips = (int)Math.Clamp(Math.Round(best * PipsPerUnit), minFeePips, maxFeePips);
        return new FeeChoiceResult(pips, bestJ, J(f0),
            $"fee {pips} pips maximises noise fees − arbitrage loss = {F(bestJ)}/day per unit of value (fee yield {F(feeYieldPerDay)}/day at {currentFeePips} pips, k {F(intensityK)}, σ {F(sigmaPerDay)}/√day, σ per block {F(sigmaPerBlock)}, concentration {F(concentration)})");
    }

    private static string F(double v) => Formatting.Numbers.Fixed(v);
}
