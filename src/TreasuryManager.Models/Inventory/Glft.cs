namespace TreasuryManager.Models.Inventory;

/// <summary>
/// Guéant, Lehalle and Fernandez-Tapia (2013), "Dealing with the inventory risk: a solution to
/// the market making problem", Mathematics and Financial Economics 7. The long-horizon
/// (stationary) quotes for a keeper that runs forever (docs/models.md, "Guéant–Lehalle–Fernandez-Tapia").
/// <para>
/// Closed-form approximation, with ω = √( σ²γ/(2kA) · (1 + γ/k)^(1 + k/γ) ) and no drift:
/// δb ≈ (1/γ)ln(1 + γ/k) + ((2q + 1)/2)·ω, δa ≈ (1/γ)ln(1 + γ/k) − ((2q − 1)/2)·ω,
/// spread ≈ (2/γ)ln(1 + γ/k) + ω.
/// </para>
/// <para>
/// Exact, with inventory limits ±Q: with α = kγσ²/2 and η = A(1 + γ/k)^−(1 + k/γ),
/// v(t) = exp(−M(T − t))·1 where M is tridiagonal, M[q,q] = αq², M[q,q±1] = −η (rows at ±Q have
/// no neighbour beyond the limit), and
/// δb(q) = (1/k)ln(v_q/v_{q+1}) + (1/γ)ln(1 + γ/k), δa(q) = (1/k)ln(v_q/v_{q−1}) + (1/γ)ln(1 + γ/k).
/// As T − t → ∞, v is proportional to the (positive) eigenvector of M's smallest eigenvalue,
/// which gives the stationary quotes (<see cref="Exact"/>); <see cref="ExactAt"/> gives the
/// finite-horizon ones.
/// </para>
/// Distances, σ and A are in the units the caller uses for prices and time (absolute prices
/// in the paper; relative, log-price units when used for the pool).
/// </summary>
public sealed class Glft
{
    public Glft(double gamma, double sigma, double a, double k)
    {
        Guard.Positive(gamma);
        Guard.Positive(sigma);
        Guard.Positive(a);
        Guard.Positive(k);
        Gamma = gamma;
        Sigma = sigma;
        A = a;
        K = k;
        BaseDistance = Math.Log(1.0 + gamma / k) / gamma;
        // ω = √( σ²γ/(2kA) · (1 + γ/k)^(1 + k/γ) )
        Omega = Math.Sqrt(sigma * sigma * gamma / (2.0 * k * a) * Math.Pow(1.0 + gamma / k, 1.0 + k / gamma));
        // α = kγσ²/2, η = A(1 + γ/k)^−(1 + k/γ)
        Alpha = k * gamma * sigma * sigma / 2.0;
        Eta = a * Math.Pow(1.0 + gamma / k, -(1.0 + k / gamma));
    }

    public double Gamma { get; }

    public double Sigma { get; }

    public double A { get; }

    public double K { get; }

    /// <summary>(1/γ)ln(1 + γ/k): the distance at zero inventory risk.</summary>
    public double BaseDistance { get; }

    /// <summary>ω = √( σ²γ/(2kA) · (1 + γ/k)^(1 + k/γ) ).</summary>
    public double Omega { get; }

    /// <summary>α = kγσ²/2.</summary>
    public double Alpha { get; }

    /// <summary>η = A(1 + γ/k)^−(1 + k/γ).</summary>
    public double Eta { get; }

    /// <summary>The closed-form approximation at inventory q around mid s.</summary>
    public InventoryQuotes Approximate(double s, double q)
    {
        Guard.Finite(s);
        Guard.Finite(q);
        var bid = BaseDistance + (2.0 * q + 1.0) / 2.0 * Omega;
        var ask = BaseDistance - (2.0 * q - 1.0) / 2.0 * Omega;
        // The quotes' midpoint: s + (δa − δb)/2 = s − qω.
        return new InventoryQuotes(s, s + 0.5 * (ask - bid), bid, ask);
    }

    /// <summary>The exact stationary quotes for inventory limits ±<paramref name="maxInventory"/>.</summary>
    public GlftExactQuotes Exact(int maxInventory)
    {
        Guard.Positive(maxInventory);
        var n = 2 * maxInventory + 1;
        var diag = Diagonal(maxInventory);
        var lambda = SmallestEigenvalue(diag, Eta);

        // Ratios of the eigenvector's components by the three-term recurrence of (M − λI)v = 0,
        //   −η v[i−1] + (d[i] − λ) v[i] − η v[i+1] = 0,
        // run from each boundary towards the centre, the direction in which v grows (stable).
        // up[i] = v[i+1]/v[i] for i ≤ Q−1, from the bottom row: up[0] = (d[0] − λ)/η.
        // down[i] = v[i−1]/v[i] for i ≥ Q+1, from the top row: down[n−1] = (d[n−1] − λ)/η.
        var logRatioBid = new double[n]; // ln(v_q/v_{q+1})
        var logRatioAsk = new double[n]; // ln(v_q/v_{q−1})
        var up = new double[n];
        var down = new double[n];
        up[0] = (diag[0] - lambda) / Eta;
        for (var i = 1; i < maxInventory; i++) up[i] = (diag[i] - lambda) / Eta - 1.0 / up[i - 1];
        down[n - 1] = (diag[n - 1] - lambda) / Eta;
        for (var i = n - 2; i > maxInventory; i--) down[i] = (diag[i] - lambda) / Eta - 1.0 / down[i + 1];

        for (var i = 0; i < n; i++)
        {
            // v_i/v_{i+1}: below the centre 1/up[i]; at or above it down[i+1]; none at +Q.
            logRatioBid[i] = i == n - 1 ? double.PositiveInfinity
                : i < maxInventory ? -Math.Log(up[i]) : Math.Log(down[i + 1]);
            // v_i/v_{i−1}: above the centre 1/down[i]; at or below it up[i−1]; none at −Q.
            logRatioAsk[i] = i == 0 ? double.PositiveInfinity
                : i > maxInventory ? -Math.Log(down[i]) : Math.Log(up[i - 1]);
        }

        return new GlftExactQuotes(this, maxInventory, lambda, logRatioBid, logRatioAsk);
    }

    /// <summary>
    /// The exact quotes with <paramref name="timeLeft"/> = T − t to the horizon: v = exp(−M(T − t))·1
    /// by scaling and squaring (computed as exp(−(M − λ₀I)(T − t))·1, which has the same ratios
    /// and does not overflow). Dense O(Q³ log) work: for tests and studies, not the hot path.
    /// </summary>
    public GlftExactQuotes ExactAt(int maxInventory, double timeLeft)
    {
        Guard.Positive(maxInventory);
        Guard.NonNegative(timeLeft);
        var n = 2 * maxInventory + 1;
        var diag = Diagonal(maxInventory);
        var lambda = SmallestEigenvalue(diag, Eta);
        var m = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            m[i, i] = -(diag[i] - lambda) * timeLeft;
            if (i > 0) m[i, i - 1] = Eta * timeLeft;
            if (i < n - 1) m[i, i + 1] = Eta * timeLeft;
        }

        var e = MatrixExp(m);
        var v = new double[n];
        for (var i = 0; i < n; i++)
        {
            double sum = 0;
            for (var j = 0; j < n; j++) sum += e[i, j];
            v[i] = sum;
        }

        var logRatioBid = new double[n];
        var logRatioAsk = new double[n];
        for (var i = 0; i < n; i++)
        {
            logRatioBid[i] = i == n - 1 ? double.PositiveInfinity : Math.Log(v[i] / v[i + 1]);
            logRatioAsk[i] = i == 0 ? double.PositiveInfinity : Math.Log(v[i] / v[i - 1]);
        }

        return new GlftExactQuotes(this, maxInventory, lambda, logRatioBid, logRatioAsk);
    }

    private double[] Diagonal(int maxInventory)
    {
        var n = 2 * maxInventory + 1;
        var d = new double[n];
        for (var i = 0; i < n; i++)
        {
            double q = i - maxInventory;
            d[i] = Alpha * q * q;
        }

        return d;
    }

    /// <summary>
    /// Smallest eigenvalue of the symmetric tridiagonal matrix (diagonal d, off-diagonal −η) by
    /// bisection on the Sturm count (number of negative pivots of LDLᵀ of M − xI). It lies in
    /// [−2η, 0]: Gershgorin bounds it below by min d − 2η = −2η, and the Rayleigh quotient of the
    /// unit vector at q = 0 is d = 0.
    /// </summary>
    internal static double SmallestEigenvalue(double[] d, double eta)
    {
        double lo = -2.0 * eta - 1e-300, hi = 0.0;
        for (var iter = 0; iter < 200 && hi - lo > 1e-15 * Math.Max(1.0, Math.Abs(lo)); iter++)
        {
            var mid = 0.5 * (lo + hi);
            if (CountBelow(d, eta, mid) >= 1) hi = mid;
            else lo = mid;
        }

        return 0.5 * (lo + hi);
    }

    private static int CountBelow(double[] d, double eta, double x)
    {
        var count = 0;
        var p = d[0] - x;
        var eta2 = eta * eta;
        for (var i = 0; ; i++)
        {
            if (p == 0) p = -1e-300;
            if (p < 0) count++;
            if (i == d.Length - 1) return count;
            p = d[i + 1] - x - eta2 / p;
        }
    }

    /// <summary>exp(m) by scaling and squaring with a Taylor series on m/2^s, ‖m/2^s‖∞ ≤ 1/2.</summary>
    private static double[,] MatrixExp(double[,] m)
    {
        var n = m.GetLength(0);
        double norm = 0;
        for (var i = 0; i < n; i++)
        {
            double row = 0;
            for (var j = 0; j < n; j++) row += Math.Abs(m[i, j]);
            norm = Math.Max(norm, row);
        }

        var s = norm <= 0.5 ? 0 : (int)Math.Ceiling(Math.Log2(norm / 0.5));
        var scale = Math.Pow(2, -s);
        var a = new double[n, n];
        for (var i = 0; i < n; i++)
        for (var j = 0; j < n; j++) a[i, j] = m[i, j] * scale;

        var result = Identity(n);
        var term = Identity(n);
        for (var k = 1; k <= 20; k++)
        {
            term = Multiply(term, a);
            for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
            {
                term[i, j] /= k;
                result[i, j] += term[i, j];
            }
        }

        for (var i = 0; i < s; i++) result = Multiply(result, result);
        return result;
    }

    private static double[,] Identity(int n)
    {
        var r = new double[n, n];
        for (var i = 0; i < n; i++) r[i, i] = 1;
        return r;
    }

    private static double[,] Multiply(double[,] x, double[,] y)
    {
        var n = x.GetLength(0);
        var r = new double[n, n];
        for (var i = 0; i < n; i++)
        for (var k = 0; k < n; k++)
        {
            var xik = x[i, k];
            if (xik == 0) continue;
            for (var j = 0; j < n; j++) r[i, j] += xik * y[k, j];
        }

        return r;
    }
}

/// <summary>
/// The exact GLFT quotes for every inventory in [−Q, Q]. At +Q there is no bid (distance +∞),
/// at −Q no ask (distance +∞).
/// </summary>
public sealed class GlftExactQuotes
{
    private readonly Glft _model;
    private readonly double[] _logRatioBid;
    private readonly double[] _logRatioAsk;

    internal GlftExactQuotes(Glft model, int maxInventory, double smallestEigenvalue, double[] logRatioBid, double[] logRatioAsk)
    {
        _model = model;
        MaxInventory = maxInventory;
        SmallestEigenvalue = smallestEigenvalue;
        _logRatioBid = logRatioBid;
        _logRatioAsk = logRatioAsk;
    }

    /// <summary>Q.</summary>
    public int MaxInventory { get; }

    /// <summary>λ₀, the smallest eigenvalue of M.</summary>
    public double SmallestEigenvalue { get; }

    /// <summary>δb(q) = (1/k)ln(v_q/v_{q+1}) + (1/γ)ln(1 + γ/k).</summary>
    public double BidDistance(int q) => _logRatioBid[Index(q)] / _model.K + _model.BaseDistance;

    /// <summary>δa(q) = (1/k)ln(v_q/v_{q−1}) + (1/γ)ln(1 + γ/k).</summary>
    public double AskDistance(int q) => _logRatioAsk[Index(q)] / _model.K + _model.BaseDistance;

    /// <summary>
    /// Quotes around s at inventory q. The reservation price is the midpoint of the two
    /// indifference prices s − (δb − base) and s + (δa − base); at a limit, where one side is
    /// not quoted, it is the one that is.
    /// </summary>
    public InventoryQuotes Quote(double s, int q)
    {
        var bid = BidDistance(q);
        var ask = AskDistance(q);
        var rBid = s - (bid - _model.BaseDistance);
        var rAsk = s + (ask - _model.BaseDistance);
        var r = double.IsPositiveInfinity(bid) ? rAsk : double.IsPositiveInfinity(ask) ? rBid : 0.5 * (rBid + rAsk);
        return new InventoryQuotes(s, r, bid, ask);
    }

    private int Index(int q)
    {
        if (q < -MaxInventory || q > MaxInventory)
            throw new ArgumentOutOfRangeException(nameof(q), q, $"inventory must lie in [-{MaxInventory}, {MaxInventory}]");
        return q + MaxInventory;
    }
}
