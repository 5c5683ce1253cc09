using System.Numerics;
using CsFullMath = TreasuryManager.Models.Curve.FullMath;
using CsLiquidityFit = TreasuryManager.Models.Curve.LiquidityFit;
using CsLogMath = TreasuryManager.Models.Curve.LogMath;
using CsSqrtPriceMath = TreasuryManager.Models.Curve.SqrtPriceMath;
using CsSwapMath = TreasuryManager.Models.Curve.SwapMath;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Contracts.Tests.Support;
using TreasuryManager.Ethereum.Contracts;
using TreasuryManager.Models.Curve;
using TreasuryManager.Testing;
using Xunit.Abstractions;
using TreasuryManager.TestContracts;

namespace TreasuryManager.Contracts.Tests.Differential;

/// <summary>
/// The pool's pure math libraries (through CurveMathHarness) against the C# curve math in TreasuryManager.Models,
/// bit for bit, on seeded random inputs of every size plus their edges (0, 1, min/max sqrt price, uintN max,
/// int256 min/max, fee 0 and 1e6). Where both revert, the LiquidityFit and LogMath cases also compare the error
/// (custom error name or panic code); the Uniswap-derived functions compare that both fail.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class CurveMathDifferentialTests(LocalNodeFixture node, ITestOutputHelper output) : NodeTest(node)
{
    private static readonly BigInteger MinSqrt = PoolSwap.MinSqrtPrice;
    private static readonly BigInteger MaxSqrt = PoolSwap.MaxSqrtPrice;
    private static readonly BigInteger UniswapMaxSqrt = BigInteger.Parse("1461446703485210103287273052203988822378723970342", System.Globalization.CultureInfo.InvariantCulture);
    private static readonly BigInteger Int256Min = -(BigInteger.One << 255);
    private static readonly BigInteger Int256Max = (BigInteger.One << 255) - 1;

    private async Task<CurveMathHarness> HarnessAsync()
    {
        var sender = await TreasuryDeployment.SenderAsync(Node, 0);
        return await CurveMathHarness.DeployAsync(sender, HardhatArtifact.Find(Node.RepositoryRoot, CurveMathHarness.ArtifactName));
    }

    private async Task RunAsync(string label, int seed, IReadOnlyList<DiffCase> cases)
    {
        var harness = await HarnessAsync();
        await DifferentialRun.CompareAsync(Node.Rpc, harness.Address, CurveMathHarness.Abi, seed, cases, output, label);
    }

    /// <summary>A sqrt price: mostly log-uniform over the pool's domain [2^32, 2^128), sometimes an edge or anything up to uint160.</summary>
    private static BigInteger SqrtPrice(SeededRandom r) => r.Int(0, 20) switch
    {
        0 => r.Pick(new[] { MinSqrt, MinSqrt + 1, MaxSqrt, MaxSqrt - 1, UniswapMaxSqrt, BigInteger.One << 96, BigInteger.One }),
        1 => r.Uint(160),
        _ => r.Bits(33, 128),
    };

    /// <summary>A second price near the first (as a swap's target or a range bound), or unrelated.</summary>
    private static BigInteger Other(SeededRandom r, BigInteger p) =>
        r.Chance(0.7) ? r.Near(p, BigInteger.One, (BigInteger.One << 160) - 1) : SqrtPrice(r);

    private static BigInteger Liquidity(SeededRandom r) => r.Chance(0.8) ? r.Bits(1, 110) : r.Uint(128);

    [Fact]
    public async Task FullMath_mulDiv_and_mulDivRoundingUp_equal_the_CSharp_FullMath()
    {
        var seed = SeededRandom.SeedFor(11_001);
        var r = new SeededRandom(seed);
        var cases = new List<DiffCase>();
        for (var i = 0; i < 600; i++)
        {
            var a = r.Uint(256);
            var b = r.Uint(256);
            // Mostly a denominator that keeps the quotient near the 256-bit edge or below it; sometimes 0 or anything.
            var over = (int)(a.GetBitLength() + b.GetBitLength()) - 256;
            var d = r.Int(0, 10) switch
            {
                0 => BigInteger.Zero,
                1 => r.Uint(256),
                _ => r.Bits(Math.Clamp(over + r.Int(-2, 3), 0, 256), 256),
            };
            var up = i % 2 == 1;
            cases.Add(up
                ? new DiffCase("mulDivRoundingUp(uint256,uint256,uint256)", [a, b, d], () => Outcome.Of(() => [CsFullMath.MulDivRoundingUp(a, b, d)]), SameError: false)
                : new DiffCase("mulDiv(uint256,uint256,uint256)", [a, b, d], () => Outcome.Of(() => [CsFullMath.MulDiv(a, b, d)]), SameError: false));
        }

        // Exact edges: full-width products, remainders that force the round-up past 2^256 - 1.
        var max = (BigInteger.One << 256) - 1;
        foreach (var (a, b, d) in new[] { (max, max, max), (max, max, max - 1), (max, max, BigInteger.One), (max, BigInteger.One, BigInteger.One), (max, 2, 2), (max, 3, 2), (BigInteger.Zero, max, BigInteger.One) })
        {
            cases.Add(new DiffCase("mulDiv(uint256,uint256,uint256)", [a, b, d], () => Outcome.Of(() => [CsFullMath.MulDiv(a, b, d)]), SameError: false));
            cases.Add(new DiffCase("mulDivRoundingUp(uint256,uint256,uint256)", [a, b, d], () => Outcome.Of(() => [CsFullMath.MulDivRoundingUp(a, b, d)]), SameError: false));
        }

        await RunAsync("FullMath", seed, cases);
    }

    [Fact]
    public async Task SqrtPriceMath_amount_deltas_and_next_prices_equal_the_CSharp_SqrtPriceMath()
    {
        var seed = SeededRandom.SeedFor(11_002);
        var r = new SeededRandom(seed);
        var cases = new List<DiffCase>();
        for (var i = 0; i < 900; i++)
        {
            var p = SqrtPrice(r);
            var q = Other(r, p);
            var l = Liquidity(r);
            var flag = r.Bool();
            // Amounts around what the liquidity can absorb (2^bits(L) ± a few bits) and sometimes anything.
            var amount = r.Chance(0.8) ? r.Bits(0, (int)l.GetBitLength() + r.Int(-40, 40) is var bits && bits > 0 ? Math.Min(bits, 256) : 1) : r.Uint(256);
            switch (i % 6)
            {
                case 0:
                    cases.Add(new DiffCase("getAmount0Delta(uint160,uint160,uint128,bool)", [p, q, l, flag], () => Outcome.Of(() => [CsSqrtPriceMath.GetAmount0Delta(p, q, l, flag)]), SameError: false));
                    break;
                case 1:
                    cases.Add(new DiffCase("getAmount1Delta(uint160,uint160,uint128,bool)", [p, q, l, flag], () => Outcome.Of(() => [CsSqrtPriceMath.GetAmount1Delta(p, q, l, flag)]), SameError: false));
                    break;
                case 2:
                case 3:
                    if (r.Chance(0.05)) l = BigInteger.Zero;
                    if (r.Chance(0.03)) p = BigInteger.Zero;
                    cases.Add(new DiffCase("getNextSqrtPriceFromInput(uint160,uint128,uint256,bool)", [p, l, amount, flag], () => Outcome.Of(() => [CsSqrtPriceMath.GetNextSqrtPriceFromInput(p, l, amount, flag)]), SameError: false));
                    break;
                default:
                    if (r.Chance(0.05)) l = BigInteger.Zero;
                    cases.Add(new DiffCase("getNextSqrtPriceFromOutput(uint160,uint128,uint256,bool)", [p, l, amount, flag], () => Outcome.Of(() => [CsSqrtPriceMath.GetNextSqrtPriceFromOutput(p, l, amount, flag)]), SameError: false));
                    break;
            }
        }

        await RunAsync("SqrtPriceMath", seed, cases);
    }

    [Fact]
    public async Task SwapMath_computeSwapStep_equals_the_CSharp_SwapMath()
    {
        var seed = SeededRandom.SeedFor(11_003);
        var r = new SeededRandom(seed);
        var cases = new List<DiffCase>();
        int[] edgeFees = [0, 1, 100, 500, 3000, 10_000, 999_999, 1_000_000, 1_000_001, 0xFFFFFF];
        for (var i = 0; i < 700; i++)
        {
            var current = SqrtPrice(r);
            var target = r.Chance(0.05) ? current : Other(r, current);
            var l = r.Chance(0.03) ? BigInteger.Zero : Liquidity(r);
            var magnitude = r.Chance(0.85)
                ? r.Bits(0, Math.Clamp((int)l.GetBitLength() + r.Int(-40, 40), 1, 255))
                : r.Uint(255);
            var amount = r.Int(0, 40) switch
            {
                0 => Int256Min,
                1 => Int256Max,
                2 => BigInteger.Zero,
                3 => BigInteger.One,
                4 => BigInteger.MinusOne,
                _ => r.Chance(0.7) ? magnitude : -magnitude,
            };
            var fee = r.Chance(0.2) ? r.Pick(edgeFees) : r.Int(0, 1_000_000);
            cases.Add(new DiffCase("computeSwapStep(uint160,uint160,uint128,int256,uint24)", [current, target, l, amount, fee], () => Outcome.Of(() =>
            {
                var s = CsSwapMath.ComputeSwapStep(current, target, l, amount, fee);
                return [s.SqrtPriceNextX96, s.AmountIn, s.AmountOut, s.FeeAmount];
            }), SameError: false));
        }

        await RunAsync("SwapMath", seed, cases);
    }

    [Fact]
    public async Task LiquidityFit_refit_fitFromLower_and_fitFromUpper_equal_the_CSharp_LiquidityFit()
    {
        var seed = SeededRandom.SeedFor(11_004);
        var r = new SeededRandom(seed);
        var cases = new List<DiffCase>();
        BigInteger Reserve() => r.Int(0, 12) switch
        {
            0 => BigInteger.Zero,
            1 => BigInteger.One,
            2 => r.Uint(256),
            _ => r.Bits(0, 128),
        };
        BigInteger Below(BigInteger p) => r.Chance(0.8) ? BigInteger.Max(MinSqrt, p - r.Below(p >> r.Int(1, 40)) - 1) : r.Pick(new[] { MinSqrt, p - 1, p, BigInteger.One, BigInteger.Zero });
        BigInteger Above(BigInteger p) => r.Chance(0.8) ? BigInteger.Min(MaxSqrt, p + r.Below(p >> r.Int(0, 40)) + 1) : r.Pick(new[] { MaxSqrt, p + 1, p, UniswapMaxSqrt, BigInteger.One << 200 });

        for (var i = 0; i < 1000; i++)
        {
            var p = r.Chance(0.9) ? r.Bits(33, 128) : SqrtPrice(r);
            var x = Reserve();
            var y = Reserve();
            switch (i % 4)
            {
                case 0:
                case 1:
                {
                    var low = Below(p);
                    var high = Above(p);
                    if (r.Chance(0.05)) low = high;
                    cases.Add(new DiffCase("refit(uint256,uint256,uint256,uint256,uint256)", [p, low, high, x, y],
                        () => Outcome.Of(() => [CsLiquidityFit.Refit(p, low, high, x, y)])));
                    break;
                }
                case 2:
                {
                    var low = Below(p);
                    cases.Add(new DiffCase("fitFromLower(uint256,uint256,uint256,uint256)", [p, low, x, y],
                        () => Outcome.Of(() => { var (l, h) = CsLiquidityFit.FitFromLower(p, low, x, y); return [l, h]; })));
                    // The fitted range gives back exactly the fitted L (on both sides).
                    if (Try(() => CsLiquidityFit.FitFromLower(p, low, x, y)) is var (fl, fh) && fh <= MaxSqrt)
                    {
                        Assert.Equal(fl, CsLiquidityFit.Refit(p, low, fh, x, y));
                        cases.Add(new DiffCase("refit(uint256,uint256,uint256,uint256,uint256)", [p, low, fh, x, y], () => Outcome.Ok(fl)));
                    }

                    break;
                }
                default:
                {
                    var high = Above(p);
                    cases.Add(new DiffCase("fitFromUpper(uint256,uint256,uint256,uint256)", [p, high, x, y],
                        () => Outcome.Of(() => { var (l, lo) = CsLiquidityFit.FitFromUpper(p, high, x, y); return [l, lo]; })));
                    if (high <= MaxSqrt && Try(() => CsLiquidityFit.FitFromUpper(p, high, x, y)) is var (fl, flo))
                    {
                        Assert.Equal(fl, CsLiquidityFit.Refit(p, flo, high, x, y));
                        cases.Add(new DiffCase("refit(uint256,uint256,uint256,uint256,uint256)", [p, flo, high, x, y], () => Outcome.Ok(fl)));
                    }

                    break;
                }
            }
        }

        await RunAsync("LiquidityFit", seed, cases);
    }

    private static (BigInteger, BigInteger)? Try(Func<(BigInteger, BigInteger)> f)
    {
        try { return f(); }
        catch (CurveMathException) { return null; }
    }

    [Fact]
    public async Task SqrtPriceGrid_rounding_and_packing_equal_the_CSharp_SqrtPriceGrid()
    {
        var seed = SeededRandom.SeedFor(11_006);
        var r = new SeededRandom(seed);
        var one = BigInteger.One;
        var fixedInputs = new[]
        {
            BigInteger.Zero, one, MinSqrt, (one << 56) - 1, one << 56, (one << 56) + 1, (one << 57) - 1, (one << 57) + 1,
            one << 96, (one << 96) - 1, (one << 96) + 1, MaxSqrt, one << 128, (one << 128) + 1,
        };
        var inputs = fixedInputs.Concat(Enumerable.Range(0, 400).Select(i => i % 4 == 0 ? r.Bits(1, 128) : r.Near(r.Bits(33, 128), one, MaxSqrt))).ToList();
        var cases = inputs.Select(v => new DiffCase("sqrtPriceGrid(uint256)", [v], () =>
        {
            var down = SqrtPriceGrid.RoundDown(v);
            var up = SqrtPriceGrid.RoundUp(v);
            return Outcome.Ok(down, up, down, up);
        })).ToList();
        await RunAsync("SqrtPriceGrid", seed, cases);
    }

    [Fact]
    public async Task LogMath_logPrice_and_coarse_log_price_equal_the_CSharp_LogMath()
    {
        var seed = SeededRandom.SeedFor(11_005);
        var r = new SeededRandom(seed);
        var cases = new List<DiffCase>();
        var fixedInputs = new[] { BigInteger.Zero, BigInteger.One, 2, 3, MinSqrt, MaxSqrt, UniswapMaxSqrt, BigInteger.One << 96, (BigInteger.One << 96) - 1, (BigInteger.One << 96) + 1, (BigInteger.One << 127) - 1, BigInteger.One << 127, BigInteger.One << 128, (BigInteger.One << 256) - 1 };
        var inputs = fixedInputs.Concat(Enumerable.Range(0, 500).Select(i => i % 5 == 0 ? r.Uint(256) : r.Near(r.Bits(33, 128), BigInteger.One, MaxSqrt))).ToList();
        foreach (var s in inputs)
        {
            cases.Add(new DiffCase("logPrice(uint256)", [s], () => Outcome.Of(() => [CsLogMath.LogPrice(s)])));
            cases.Add(new DiffCase("coarseLogPriceFromPriceX128(uint256)", [s], () => Outcome.Of(() => [CsLogMath.CoarseLogPriceFromPriceX128(s)])));
        }

        await RunAsync("LogMath", seed, cases);
    }
}
