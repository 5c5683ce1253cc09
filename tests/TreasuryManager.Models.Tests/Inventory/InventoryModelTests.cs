using CsCheck;
using TreasuryManager.Models.Inventory;

namespace TreasuryManager.Models.Tests.Inventory;

public class InventoryModelTests
{
    private const double Tol = 1e-12;

    [Fact]
    public void HoStoll_moves_midpoint_against_inventory_and_keeps_spread()
    {
        // a = 0.5, β = 0.2, p = 100, I = 3: centre = 100 − 0.2·3 = 99.4,
        // bid = 99.4 − 0.5 = 98.9, ask = 99.4 + 0.5 = 99.9; δb = 1.1, δa = −0.1; spread = 2a = 1.
        var q = new HoStoll(0.5, 0.2).Quote(100, 3);
        Assert.Equal(99.4, q.ReservationPrice, Tol);
        Assert.Equal(98.9, q.BidPrice, Tol);
        Assert.Equal(99.9, q.AskPrice, Tol);
        Assert.Equal(1.1, q.BidDistance, Tol);
        Assert.Equal(-0.1, q.AskDistance, Tol);
        Assert.Equal(1.0, q.Spread, Tol);
        // Spread independent of inventory.
        Assert.Equal(1.0, new HoStoll(0.5, 0.2).Quote(100, -7).Spread, Tol);
    }

    [Fact]
    public void HoStoll_beta_from_risk()
    {
        // β = γσ²τ = 0.1·4·0.5 = 0.2
        Assert.Equal(0.2, HoStoll.FromRisk(0.5, 0.1, 2, 0.5).Beta, Tol);
    }

    [Fact]
    public void AvellanedaStoikov_matches_hand_computation()
    {
        // s = 100, q = 2, γ = 0.1, σ = 2, k = 1.5, T = 1, t = 0.5:
        // r = 100 − 2·0.1·4·0.5 = 99.6
        // spread = 0.1·4·0.5 + (2/0.1)·ln(1 + 0.1/1.5) = 0.2 + 20·ln(16/15) = 0.2 + 1.2907704227514232 = 1.4907704227514232
        // bid = 99.6 − 0.7453852113757116 = 98.8546147886242884 → δb = 1.1453852113757116
        // ask = 99.6 + 0.7453852113757116 → δa = 0.3453852113757116
        var m = new AvellanedaStoikov(0.1, 2, 1.5, 1);
        var q = m.Quote(100, 2, 0.5);
        Assert.Equal(99.6, q.ReservationPrice, 1e-12);
        Assert.Equal(1.4907704227514232, q.Spread, 1e-12);
        Assert.Equal(1.1453852113757116, q.BidDistance, 1e-12);
        Assert.Equal(0.3453852113757116, q.AskDistance, 1e-12);
    }

    [Theory]
    // The paper's spread column: (2/γ)ln(1 + γ/k) + γσ²T/2 with σ = 2, k = 1.5, T = 1.
    // γ = 0.1: 20·ln(16/15) + 0.2 = 1.4908; γ = 0.01: 200·ln(151/150) + 0.02 = 1.3489; γ = 1: 2·ln(5/3) + 2 = 3.0217.
    [InlineData(0.1, 1.4908)]
    [InlineData(0.01, 1.3489)]
    [InlineData(1.0, 3.0217)]
    public void AvellanedaStoikov_average_spread_matches_paper_column(double gamma, double expected)
    {
        Assert.Equal(expected, new AvellanedaStoikov(gamma, 2, 1.5, 1).AverageSpread, 4);
    }

    [Fact]
    public void Glft_approximation_matches_hand_computation()
    {
        // γ = 0.1, σ = 2, A = 140, k = 1.5:
        // base = (1/γ)ln(1 + γ/k) = 10·ln(16/15) = 0.6453852113757116
        // (1 + γ/k)^(1 + k/γ) = (16/15)^16 = 2.8084039655764466
        // ω = √(4·0.1/(2·1.5·140) · 2.8084039655764466) = √(0.0026746704434) = 0.051717216121966
        // q = 2: δb = base + 2.5ω = 0.7746782516806265, δa = base − 1.5ω = 0.5678093871927626
        // α = 1.5·0.1·4/2 = 0.3, η = 140/2.8084039655764466 = 49.850378263251
        var m = new Glft(0.1, 2, 140, 1.5);
        Assert.Equal(0.6453852113757116, m.BaseDistance, 1e-12);
        Assert.Equal(0.051717216121966, m.Omega, 1e-12);
        Assert.Equal(0.3, m.Alpha, 1e-12);
        Assert.Equal(49.850378263251, m.Eta, 1e-9);
        var q = m.Approximate(100, 2);
        Assert.Equal(0.7746782516806265, q.BidDistance, 1e-12);
        Assert.Equal(0.5678093871927626, q.AskDistance, 1e-12);
        // spread = 2·base + ω, midpoint s − qω
        Assert.Equal(2 * 0.6453852113757116 + 0.051717216121966, q.Spread, 1e-12);
        Assert.Equal(100 - 2 * 0.051717216121966, q.ReservationPrice, 1e-12);
    }

    [Fact]
    public void Glft_exact_with_Q_1_matches_hand_eigenvector()
    {
        // Q = 1: M = [[α, −η, 0], [−η, 0, −η], [0, −η, α]]. The ground state is symmetric,
        // v = (a, b, a): αa − ηb = λa and −2ηa = λb ⇒ λ² − αλ − 2η² = 0 ⇒ λ = (α − √(α² + 8η²))/2,
        // and v₀/v₁ = b/a = −2η/λ. With α = 0.3, η = 49.850378263251: λ = −70.34924060568606,
        // δb(0) = (1/k)ln(−2η/λ) + base = 0.8778527286981017,
        // δb(−1) = (1/k)ln(v₋₁/v₀) + base = (1/k)ln(λ/(−2η)) + base = 0.41291769405332135.
        var m = new Glft(0.1, 2, 140, 1.5);
        var e = m.Exact(1);
        Assert.Equal(-70.34924060568606, e.SmallestEigenvalue, 1e-9);
        Assert.Equal(0.8778527286981017, e.BidDistance(0), 1e-9);
        Assert.Equal(0.8778527286981017, e.AskDistance(0), 1e-9);
        Assert.Equal(0.41291769405332135, e.BidDistance(-1), 1e-9);
        Assert.Equal(0.41291769405332135, e.AskDistance(1), 1e-9);
        Assert.True(double.IsPositiveInfinity(e.BidDistance(1)));
        Assert.True(double.IsPositiveInfinity(e.AskDistance(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => e.BidDistance(2));
    }

    [Theory]
    // The approximation is the continuum (Gaussian) limit of the ODE system's ground state: as Q
    // grows the exact quotes approach it, up to a discreteness error of relative order kω = √(α/η)
    // (0.078 for A = 140, 0.0078 for A = 14000), which must shrink with kω.
    [InlineData(140, 0.05)]
    [InlineData(14000, 0.005)]
    public void Glft_exact_converges_to_approximation_as_Q_grows(double a, double relativeTolerance)
    {
        var m = new Glft(0.1, 2, a, 1.5);
        var approx = m.Approximate(0, 0);
        var approx2 = m.Approximate(0, 2);
        double previous = double.PositiveInfinity;
        foreach (var qMax in new[] { 2, 4, 8, 16, 32, 64 })
        {
            var e = m.Exact(qMax);
            var err = Math.Abs(e.BidDistance(0) - approx.BidDistance) + Math.Abs(e.AskDistance(0) - approx.AskDistance);
            Assert.True(err <= previous * (1 + 1e-9), $"error grew at Q = {qMax}: {err} vs {previous}");
            previous = err;
        }

        var big = m.Exact(64);
        Assert.True(previous < relativeTolerance * m.Omega, $"error {previous} vs ω {m.Omega}");
        Assert.Equal(approx2.BidDistance, big.BidDistance(2), relativeTolerance * m.Omega);
        Assert.Equal(approx2.AskDistance, big.AskDistance(2), relativeTolerance * m.Omega);
        // Far from the limit at Q = 2 the exact quotes are visibly different (the test has teeth).
        var small = m.Exact(2);
        Assert.True(Math.Abs(small.BidDistance(1) - m.Approximate(0, 1).BidDistance) > 10 * relativeTolerance * m.Omega);
        // Symmetry: δb(q) = δa(−q).
        Assert.Equal(big.BidDistance(3), big.AskDistance(-3), 1e-9);
    }

    [Fact]
    public void Glft_exact_quotes_are_finite_and_skew_monotonically_with_inventory()
    {
        // For any parameters: the longer the inventory, the further the bid and the nearer the ask.
        var gen = Gen.Select(Gen.Double[0.001, 10], Gen.Double[0.01, 10], Gen.Double[1, 1000], Gen.Double[0.1, 10], Gen.Int[1, 60]);
        gen.Sample((gamma, sigma, a, k, qMax) =>
        {
            var e = new Glft(gamma, sigma, a, k).Exact(qMax);
            for (var q = -qMax; q < qMax; q++)
            {
                Assert.True(double.IsFinite(e.BidDistance(q)), $"δb({q}) = {e.BidDistance(q)}");
                Assert.True(double.IsFinite(e.AskDistance(q + 1)), $"δa({q + 1}) = {e.AskDistance(q + 1)}");
                if (q > -qMax)
                {
                    Assert.True(e.BidDistance(q) > e.BidDistance(q - 1) - 1e-9);
                    Assert.True(e.AskDistance(q) < e.AskDistance(q - 1) + 1e-9 || double.IsPositiveInfinity(e.AskDistance(q - 1)));
                }
            }
        }, iter: 300);
    }

    [Fact]
    public void Glft_finite_horizon_starts_at_base_and_tends_to_stationary()
    {
        var m = new Glft(0.1, 2, 140, 1.5);
        // v(T) = 1 ⇒ all ratios 1 ⇒ δ = base at the horizon.
        var atHorizon = m.ExactAt(5, 0);
        Assert.Equal(m.BaseDistance, atHorizon.BidDistance(2), 1e-12);
        Assert.Equal(m.BaseDistance, atHorizon.AskDistance(-4), 1e-12);
        var stationary = m.Exact(5);
        var longAgo = m.ExactAt(5, 50);
        for (var q = -4; q <= 4; q++)
            Assert.Equal(stationary.BidDistance(q), longAgo.BidDistance(q), 1e-7);
        // In between, the inventory skew grows with time left.
        Assert.True(m.ExactAt(5, 0.01).BidDistance(3) < m.ExactAt(5, 0.1).BidDistance(3));
    }

    [Fact]
    public void Models_reject_bad_parameters_naming_them()
    {
        Assert.Equal("gamma", Assert.Throws<ArgumentOutOfRangeException>(() => new Glft(0, 2, 140, 1.5)).ParamName);
        Assert.Equal("sigma", Assert.Throws<ArgumentOutOfRangeException>(() => new Glft(0.1, -1, 140, 1.5)).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentOutOfRangeException>(() => new Glft(0.1, 2, double.NaN, 1.5)).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => new Glft(0.1, 2, 140, double.PositiveInfinity)).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => new AvellanedaStoikov(0.1, 2, 0, 1)).ParamName);
        Assert.Equal("gamma", Assert.Throws<ArgumentOutOfRangeException>(() => new AvellanedaStoikov(-0.1, 2, 1.5, 1)).ParamName);
        Assert.Equal("halfSpread", Assert.Throws<ArgumentOutOfRangeException>(() => new HoStoll(-1, 0.2)).ParamName);
        Assert.Equal("maxInventory", Assert.Throws<ArgumentOutOfRangeException>(() => new Glft(0.1, 2, 140, 1.5).Exact(0)).ParamName);
    }
}
