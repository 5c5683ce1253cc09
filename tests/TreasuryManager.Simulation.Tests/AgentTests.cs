using CsCheck;
using TreasuryManager.Models.Curve;

namespace TreasuryManager.Simulation.Tests;

public sealed class AgentTests
{
    /// <summary>A one-step path whose reference is <paramref name="reference"/> and gas <paramref name="gwei"/>.</summary>
    private static MarketPath OneStep(double reference, double gwei)
    {
        var s = new Scenario { Steps = 1, Price = new PriceProcess { Initial = 2000 } }.Validate();
        return new MarketPath
        {
            Scenario = s, Seed = 0, Reference = [2000, reference], GasGwei = [gwei, gwei],
            OraclePrice = [2000, reference], OracleUpdatedAt = [0, 0], OracleVolatilityAnnual = [0.4, 0.4],
            Noise = [], NoiseStart = [0, 0, 0], Informed = [], InformedStart = [0, 0, 0],
        };
    }

    [Fact]
    public void The_arbitrageur_leaves_no_gap_that_pays_after_fee_and_gas()
    {
        Gen.Select(Gen.Double[-0.2, 0.2], Gen.Int[100, 30_000], Gen.Double[1, 200], Gen.Double[0.02, 2])
            .Sample((logMove, feePips, gwei, halfWidth) =>
            {
                var venue = InMemoryVenue.Empty(Units.SqrtPriceX96(2000), Units.Raw(1000), Units.Raw(2_000_000), feePips);
                Assert.True(Strategies.FitRange(venue, 2000, halfWidth, feePips, 0));
                var reference = 2000 * Math.Exp(logMove);
                var path = OneStep(reference, gwei);
                var m = new Market(path, [venue]);
                Agents.Arbitrage(m, venue, 1);
                var gas = m.GasCostQuote(1, path.Scenario.Arbitrage.SwapGas);
                // no swap of any size, either way, pays more than its gas at the reference price
                for (var e = -6.0; e <= 7; e += 0.25)
                {
                    var size = Math.Pow(10, e);
                    if (venue.Quote(false, Units.Raw(size * reference)) is { } buy)
                        Assert.True(Units.Human(buy.AmountOut) * reference - Units.Human(buy.AmountInUsed) <= gas, $"buying base with {size * reference} quote pays");
                    if (venue.Quote(true, Units.Raw(size)) is { } sell)
                        Assert.True(Units.Human(sell.AmountOut) - Units.Human(sell.AmountInUsed) * reference <= gas, $"selling {size} base pays");
                }
                // and when the gap paid well, it traded
                var f = feePips / 1e6;
                if (Math.Abs(logMove) > -Math.Log(1 - f) + 0.01 && halfWidth > Math.Abs(logMove) + 0.01)
                    Assert.Equal(1, m.SwapCount[(int)Trader.Arbitrageur]);
            }, iter: 300);
    }

    [Fact]
    public void Noise_traders_thin_with_the_fee_as_A_exp_minus_k_fee()
    {
        var s = new Scenario { Steps = 2880, Noise = new NoiseFlow { ArrivalsPerDay = 2000, K = 300 } }.Validate();
        var path = MarketPath.Generate(s, 17);
        var n = path.Noise.Length;
        var expected = 2000 * s.Days;
        Assert.InRange(n, expected - 5 * Math.Sqrt(expected), expected + 5 * Math.Sqrt(expected));
        foreach (var feePips in new[] { 0, 1000, 3000, 10_000 })
        {
            var accepted = path.Noise.Count(a => a.Accept < Math.Exp(-300 * feePips / 1e6));
            var p = Math.Exp(-300 * feePips / 1e6);
            Assert.InRange(accepted, n * p - 5 * Math.Sqrt(n * p * (1 - p)) - 1, n * p + 5 * Math.Sqrt(n * p * (1 - p)) + 1);
        }
    }
}
