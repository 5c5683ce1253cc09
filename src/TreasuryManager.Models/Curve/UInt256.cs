using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace TreasuryManager.Models.Curve;

/// <summary>
/// An EVM word: an unsigned 256-bit integer held in four 64-bit limbs, little-endian (<c>U0</c> is the least
/// significant). Built for the allocation-free swap path (<see cref="FastPoolSwap"/>); <see cref="BigInteger"/> is
/// only used by the conversions.
/// <para>Arithmetic follows C#'s own unsigned types and Solidity 0.8:</para>
/// <list type="bullet">
/// <item><c>+</c>, <c>−</c>, <c>*</c> and <c>&lt;&lt;</c> wrap modulo 2^256 (Solidity's <c>unchecked { }</c>);</item>
/// <item>their <c>checked</c> forms (a <c>checked(...)</c> context, or <see cref="CheckedAdd"/>,
/// <see cref="CheckedSub"/>, <see cref="CheckedMul"/>) throw <see cref="OverflowException"/> where Solidity 0.8
/// panics with 0x11;</item>
/// <item><c>/</c> and <c>%</c> throw <see cref="DivideByZeroException"/> for a zero divisor (Solidity's panic 0x12);</item>
/// <item>shifts by 256 or more give 0, as the EVM's SHL/SHR;</item>
/// <item><see cref="MulDiv"/> / <see cref="MulDivRoundingUp"/> are Uniswap's FullMath (a 512-bit product, then an
/// exact division) and fail exactly as <see cref="FullMath"/> does, with the same <see cref="CurveMathException"/>
/// reasons.</item>
/// </list>
/// Division is on 64-bit digits: by one digit, a DIV per digit (x64) or Möller–Granlund 2-by-1 reciprocal division;
/// by two digits (prices and liquidity, below 2^128), Möller–Granlund 3-by-2 reciprocal division ("Improved division
/// by invariant integers", IEEE TC 2011); by more, Knuth's algorithm D (TAOCP vol. 2, §4.3.1). The 128/64-bit digit
/// division is the DIV instruction on x64 and Hacker's Delight divlu elsewhere; both paths are tested.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct UInt256 : IEquatable<UInt256>, IComparable<UInt256>, IComparable
{
    /// <summary>Bits 0–63.</summary>
    public readonly ulong U0;

    /// <summary>Bits 64–127.</summary>
    public readonly ulong U1;

    /// <summary>Bits 128–191.</summary>
    public readonly ulong U2;

    /// <summary>Bits 192–255.</summary>
    public readonly ulong U3;

    /// <summary>The value U0 + U1·2^64 + U2·2^128 + U3·2^192 (limbs least significant first).</summary>
    public UInt256(ulong u0, ulong u1, ulong u2, ulong u3)
    {
        U0 = u0;
        U1 = u1;
        U2 = u2;
        U3 = u3;
    }

    public UInt256(UInt128 value)
        : this((ulong)value, (ulong)(value >> 64), 0, 0)
    {
    }

    public static UInt256 Zero => default;

    public static UInt256 One => new(1, 0, 0, 0);

    /// <summary>2^256 − 1 (type(uint256).max).</summary>
    public static UInt256 MaxValue => new(ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue);

    /// <summary>2^128 − 1 (type(uint128).max).</summary>
    public static UInt256 MaxUInt128 => new(ulong.MaxValue, ulong.MaxValue, 0, 0);

    /// <summary>2^160 − 1 (type(uint160).max).</summary>
    public static UInt256 MaxUInt160 => new(ulong.MaxValue, ulong.MaxValue, uint.MaxValue, 0);

    /// <summary>2^96, the unit of a Q64.96 number (FixedPoint96.Q96).</summary>
    public static UInt256 Q96 => new(0, 1UL << 32, 0, 0);

    public bool IsZero => (U0 | U1 | U2 | U3) == 0;

    /// <summary>True when the value fits in 64 bits.</summary>
    public bool FitsInUInt64 => (U1 | U2 | U3) == 0;

    /// <summary>True when the value fits in 128 bits (≤ type(uint128).max).</summary>
    public bool FitsInUInt128 => (U2 | U3) == 0;

    /// <summary>True when the value fits in 160 bits (≤ type(uint160).max).</summary>
    public bool FitsInUInt160 => U3 == 0 && U2 <= uint.MaxValue;

    /// <summary>The number of significant bits (0 for zero).</summary>
    public int BitLength =>
        U3 != 0 ? 256 - BitOperations.LeadingZeroCount(U3)
        : U2 != 0 ? 192 - BitOperations.LeadingZeroCount(U2)
        : U1 != 0 ? 128 - BitOperations.LeadingZeroCount(U1)
        : 64 - BitOperations.LeadingZeroCount(U0);

    // ------------------------------------------------------------------ conversions

    public static implicit operator UInt256(ulong value) => new(value, 0, 0, 0);

    public static implicit operator UInt256(UInt128 value) => new(value);

    /// <summary>The exact value (a non-negative <see cref="BigInteger"/>).</summary>
    public static implicit operator BigInteger(UInt256 value) => value.ToBigInteger();

    /// <summary>From a <see cref="BigInteger"/> in [0, 2^256); throws <see cref="OverflowException"/> otherwise.</summary>
    public static explicit operator UInt256(BigInteger value) => FromBigInteger(value);

    /// <summary>The low 64 bits (truncating, as a C# narrowing cast).</summary>
    public static explicit operator ulong(UInt256 value) => value.U0;

    /// <summary>The value as a ulong; throws <see cref="OverflowException"/> if it does not fit.</summary>
    public static explicit operator checked ulong(UInt256 value) =>
        value.FitsInUInt64 ? value.U0 : throw new OverflowException("UInt256 does not fit in a ulong");

    /// <summary>The value as a double (relative error below 2^-52; not necessarily correctly rounded).</summary>
    public static explicit operator double(UInt256 value)
    {
        if (value.FitsInUInt64) return value.U0;
        var shift = value.BitLength - 64;
        return Math.ScaleB((value >> shift).U0, shift);
    }

    /// <summary>The low 128 bits (truncating).</summary>
    public static explicit operator UInt128(UInt256 value) => new(value.U1, value.U0);

    /// <summary>From a <see cref="BigInteger"/> in [0, 2^256); throws <see cref="OverflowException"/> otherwise.</summary>
    public static UInt256 FromBigInteger(BigInteger value)
    {
        if (value.Sign < 0) throw new OverflowException("a UInt256 cannot be negative");
        if (value.IsZero) return default;
        Span<byte> bytes = stackalloc byte[33];
        if (!value.TryWriteBytes(bytes, out var written, isUnsigned: true) || written > 32)
            throw new OverflowException("value does not fit in 256 bits");
        bytes[written..].Clear();
        return new UInt256(
            BitConverter.ToUInt64(bytes[..8]),
            BitConverter.ToUInt64(bytes[8..16]),
            BitConverter.ToUInt64(bytes[16..24]),
            BitConverter.ToUInt64(bytes[24..32]));
    }

    /// <summary>True and the value when <paramref name="value"/> is in [0, 2^256).</summary>
    public static bool TryFromBigInteger(BigInteger value, out UInt256 result)
    {
        if (value.Sign < 0 || value.GetBitLength() > 256)
        {
            result = default;
            return false;
        }

        result = FromBigInteger(value);
        return true;
    }

    public BigInteger ToBigInteger()
    {
        if (FitsInUInt64) return U0;
        Span<byte> bytes = stackalloc byte[32];
        BitConverter.TryWriteBytes(bytes[..8], U0);
        BitConverter.TryWriteBytes(bytes[8..16], U1);
        BitConverter.TryWriteBytes(bytes[16..24], U2);
        BitConverter.TryWriteBytes(bytes[24..32], U3);
        return new BigInteger(bytes, isUnsigned: true);
    }

    // ------------------------------------------------------------------ addition and subtraction

    /// <summary>a + b and whether it overflowed 2^256 (the sum is then taken mod 2^256).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static UInt256 AddWithCarry(in UInt256 a, in UInt256 b, out bool overflow)
    {
        var r0 = a.U0 + b.U0;
        ulong c = r0 < a.U0 ? 1UL : 0UL;
        var (r1, c1) = AddLimb(a.U1, b.U1, c);
        var (r2, c2) = AddLimb(a.U2, b.U2, c1);
        var (r3, c3) = AddLimb(a.U3, b.U3, c2);
        overflow = c3 != 0;
        return new UInt256(r0, r1, r2, r3);
    }

    /// <summary>a − b and whether it underflowed (the difference is then taken mod 2^256).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static UInt256 SubtractWithBorrow(in UInt256 a, in UInt256 b, out bool underflow)
    {
        var r0 = a.U0 - b.U0;
        ulong c = a.U0 < b.U0 ? 1UL : 0UL;
        var (r1, c1) = SubLimb(a.U1, b.U1, c);
        var (r2, c2) = SubLimb(a.U2, b.U2, c1);
        var (r3, c3) = SubLimb(a.U3, b.U3, c2);
        underflow = c3 != 0;
        return new UInt256(r0, r1, r2, r3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (ulong Sum, ulong Carry) AddLimb(ulong a, ulong b, ulong carry)
    {
        var s = a + b;
        var c = s < a ? 1UL : 0UL;
        var t = s + carry;
        c += t < s ? 1UL : 0UL;
        return (t, c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (ulong Difference, ulong Borrow) SubLimb(ulong a, ulong b, ulong borrow)
    {
        var d = a - b;
        var c = a < b ? 1UL : 0UL;
        var t = d - borrow;
        c += d < borrow ? 1UL : 0UL;
        return (t, c);
    }

    /// <summary>a + b mod 2^256 (unchecked).</summary>
    public static UInt256 operator +(UInt256 a, UInt256 b) => AddWithCarry(a, b, out _);

    /// <summary>a + b; throws <see cref="OverflowException"/> at or past 2^256 (Solidity 0.8 checked add).</summary>
    public static UInt256 operator checked +(UInt256 a, UInt256 b) => CheckedAdd(a, b);

    /// <summary>a − b mod 2^256 (unchecked).</summary>
    public static UInt256 operator -(UInt256 a, UInt256 b) => SubtractWithBorrow(a, b, out _);

    /// <summary>a − b; throws <see cref="OverflowException"/> when b &gt; a (Solidity 0.8 checked sub).</summary>
    public static UInt256 operator checked -(UInt256 a, UInt256 b) => CheckedSub(a, b);

    public static UInt256 operator ++(UInt256 a) => a + One;

    public static UInt256 operator checked ++(UInt256 a) => CheckedAdd(a, One);

    public static UInt256 operator --(UInt256 a) => a - One;

    public static UInt256 operator checked --(UInt256 a) => CheckedSub(a, One);

    /// <summary>a + b; throws <see cref="OverflowException"/> on overflow.</summary>
    public static UInt256 CheckedAdd(in UInt256 a, in UInt256 b)
    {
        var r = AddWithCarry(a, b, out var overflow);
        return overflow ? throw new OverflowException("UInt256 addition overflowed") : r;
    }

    /// <summary>a − b; throws <see cref="OverflowException"/> on underflow.</summary>
    public static UInt256 CheckedSub(in UInt256 a, in UInt256 b)
    {
        var r = SubtractWithBorrow(a, b, out var underflow);
        return underflow ? throw new OverflowException("UInt256 subtraction underflowed") : r;
    }

    // ------------------------------------------------------------------ multiplication

    /// <summary>a·b mod 2^256 and whether the exact product reaches 2^256.</summary>
    public static UInt256 MultiplyWithOverflow(in UInt256 a, in UInt256 b, out bool overflow)
    {
        Span<ulong> p = stackalloc ulong[8];
        Multiply512(a, b, p);
        overflow = (p[4] | p[5] | p[6] | p[7]) != 0;
        return new UInt256(p[0], p[1], p[2], p[3]);
    }

    /// <summary>a·b mod 2^256 (unchecked).</summary>
    public static UInt256 operator *(UInt256 a, UInt256 b) => MultiplyWithOverflow(a, b, out _);

    /// <summary>a·b; throws <see cref="OverflowException"/> at or past 2^256 (Solidity 0.8 checked mul).</summary>
    public static UInt256 operator checked *(UInt256 a, UInt256 b) => CheckedMul(a, b);

    /// <summary>a·b; throws <see cref="OverflowException"/> on overflow.</summary>
    public static UInt256 CheckedMul(in UInt256 a, in UInt256 b)
    {
        var r = MultiplyWithOverflow(a, b, out var overflow);
        return overflow ? throw new OverflowException("UInt256 multiplication overflowed") : r;
    }

    /// <summary>The full 512-bit product a·b into <paramref name="product"/> (8 limbs, least significant first).</summary>
    public static void Multiply512(in UInt256 a, in UInt256 b, Span<ulong> product)
    {
        // Schoolbook, one row per limb of a (rows of zero limbs skipped); each step is
        // a_i·b_j + p[i+j] + carry ≤ 2^128 − 1, so it never overflows 128 bits.
        if (a.FitsInUInt128 && !b.FitsInUInt128)
        {
            Multiply512(b, a, product);
            return;
        }

        if (b.FitsInUInt128)
        {
            // The swap path's products (prices, liquidity, amounts against one another): rows of two.
            MultiplyBy128(a, b.U0, b.U1, product);
            return;
        }

        ulong c = 0, p4, p5 = 0, p6 = 0, p7 = 0;
        var p0 = Mac(a.U0, b.U0, 0, ref c);
        var p1 = Mac(a.U0, b.U1, 0, ref c);
        var p2 = Mac(a.U0, b.U2, 0, ref c);
        var p3 = Mac(a.U0, b.U3, 0, ref c);
        p4 = c;
        if (a.U1 != 0)
        {
            c = 0;
            p1 = Mac(a.U1, b.U0, p1, ref c);
            p2 = Mac(a.U1, b.U1, p2, ref c);
            p3 = Mac(a.U1, b.U2, p3, ref c);
            p4 = Mac(a.U1, b.U3, p4, ref c);
            p5 = c;
        }

        if (a.U2 != 0)
        {
            c = 0;
            p2 = Mac(a.U2, b.U0, p2, ref c);
            p3 = Mac(a.U2, b.U1, p3, ref c);
            p4 = Mac(a.U2, b.U2, p4, ref c);
            p5 = Mac(a.U2, b.U3, p5, ref c);
            p6 = c;
        }

        if (a.U3 != 0)
        {
            c = 0;
            p3 = Mac(a.U3, b.U0, p3, ref c);
            p4 = Mac(a.U3, b.U1, p4, ref c);
            p5 = Mac(a.U3, b.U2, p5, ref c);
            p6 = Mac(a.U3, b.U3, p6, ref c);
            p7 = c;
        }

        product[7] = p7;
        product[0] = p0;
        product[1] = p1;
        product[2] = p2;
        product[3] = p3;
        product[4] = p4;
        product[5] = p5;
        product[6] = p6;
    }

    private static void MultiplyBy128(in UInt256 a, ulong b0, ulong b1, Span<ulong> product)
    {
        ulong c = 0, p3 = 0, p4 = 0, p5 = 0;
        var p0 = Mac(a.U0, b0, 0, ref c);
        var p1 = Mac(a.U0, b1, 0, ref c);
        var p2 = c;
        if (a.U1 != 0)
        {
            c = 0;
            p1 = Mac(a.U1, b0, p1, ref c);
            p2 = Mac(a.U1, b1, p2, ref c);
            p3 = c;
        }

        if (a.U2 != 0)
        {
            c = 0;
            p2 = Mac(a.U2, b0, p2, ref c);
            p3 = Mac(a.U2, b1, p3, ref c);
            p4 = c;
        }

        if (a.U3 != 0)
        {
            c = 0;
            p3 = Mac(a.U3, b0, p3, ref c);
            p4 = Mac(a.U3, b1, p4, ref c);
            p5 = c;
        }

        product[7] = 0;
        product[6] = 0;
        product[0] = p0;
        product[1] = p1;
        product[2] = p2;
        product[3] = p3;
        product[4] = p4;
        product[5] = p5;
    }

    /// <summary>a·b + acc + carry: returns the low limb, leaves the high limb in <paramref name="carry"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mac(ulong a, ulong b, ulong acc, ref ulong carry)
    {
        var hi = Math.BigMul(a, b, out var lo);
        lo += acc;
        hi += lo < acc ? 1UL : 0UL;
        lo += carry;
        hi += lo < carry ? 1UL : 0UL;
        carry = hi;
        return lo;
    }

    // ------------------------------------------------------------------ division

    /// <summary>⌊a/b⌋; throws <see cref="DivideByZeroException"/> for b = 0.</summary>
    public static UInt256 operator /(UInt256 a, UInt256 b) => DivRem(a, b, out _);

    /// <summary>a mod b; throws <see cref="DivideByZeroException"/> for b = 0.</summary>
    public static UInt256 operator %(UInt256 a, UInt256 b)
    {
        DivRem(a, b, out var r);
        return r;
    }

    /// <summary>⌊a/b⌋ and the remainder; throws <see cref="DivideByZeroException"/> for b = 0.</summary>
    public static UInt256 DivRem(in UInt256 a, in UInt256 b, out UInt256 remainder)
    {
        if (b.IsZero) throw new DivideByZeroException();
        if (a < b)
        {
            remainder = a;
            return default;
        }

        if (a.FitsInUInt64)
        {
            remainder = a.U0 % b.U0;
            return a.U0 / b.U0;
        }

        Span<ulong> q = stackalloc ulong[4];
        Span<ulong> r = stackalloc ulong[4];
        DivRemLimbs(Limbs(a)[..a.LimbCount], Limbs(b)[..b.LimbCount], q, r);
        remainder = new UInt256(r[0], r[1], r[2], r[3]);
        return new UInt256(q[0], q[1], q[2], q[3]);
    }

    /// <summary>⌈a/b⌉ for b &gt; 0 (UnsafeMath.divRoundingUp).</summary>
    public static UInt256 DivRoundingUp(in UInt256 a, in UInt256 b)
    {
        var q = DivRem(a, b, out var r);
        return r.IsZero ? q : q + One;
    }

    /// <summary>
    /// <paramref name="u"/> (n limbs) divided by <paramref name="v"/> (m limbs, top limb
    /// non-zero, m ≤ n ≤ 8). Writes the n − m + 1 quotient limbs to <paramref name="quotient"/> and the m remainder
    /// limbs to <paramref name="remainder"/> (the rest of both left as they were: callers pass zeroed spans).
    /// One- and two-limb divisors go to <see cref="DivRemBy1"/> / <see cref="DivRemBy2"/>, longer ones through
    /// Knuth's algorithm D.
    /// </summary>
    private static void DivRemLimbs(ReadOnlySpan<ulong> u, ReadOnlySpan<ulong> v, Span<ulong> quotient, Span<ulong> remainder)
    {
        var n = u.Length;
        var m = v.Length;
        var s = BitOperations.LeadingZeroCount(v[m - 1]);

        if (m == 1)
        {
            DivRemBy1(u, v[0], s, quotient, out remainder[0]);
            return;
        }

        if (m == 2)
        {
            DivRemBy2(u, v[1], v[0], s, quotient, out remainder[1], out remainder[0]);
            return;
        }

        // Normalise: shift both so the divisor's top digit has its top bit set.
        Span<ulong> vn = stackalloc ulong[4];
        Span<ulong> un = stackalloc ulong[9];
        if (s == 0)
        {
            v.CopyTo(vn);
            u.CopyTo(un);
            un[n] = 0;
        }
        else
        {
            for (var i = m - 1; i > 0; i--) vn[i] = (v[i] << s) | (v[i - 1] >> (64 - s));
            vn[0] = v[0] << s;
            un[n] = u[n - 1] >> (64 - s);
            for (var i = n - 1; i > 0; i--) un[i] = (u[i] << s) | (u[i - 1] >> (64 - s));
            un[0] = u[0] << s;
        }

        var vTop = vn[m - 1];
        var vNext = vn[m - 2];
        for (var j = n - m; j >= 0; j--)
        {
            // Estimate the quotient digit from the top two digits, then correct with the third (at most 2 too big).
            ulong qhat, rhat;
            var rhatOverflow = false;
            if (un[j + m] >= vTop)
            {
                qhat = ulong.MaxValue;
                rhat = un[j + m - 1] + vTop;
                rhatOverflow = rhat < vTop;
            }
            else
            {
                qhat = DivRem128By64(un[j + m], un[j + m - 1], vTop, out rhat);
            }

            while (!rhatOverflow)
            {
                var phi = Math.BigMul(qhat, vNext, out var plo);
                if (phi < rhat || (phi == rhat && plo <= un[j + m - 2])) break;
                qhat--;
                rhat += vTop;
                rhatOverflow = rhat < vTop;
            }

            // Multiply and subtract qhat·vn from un[j .. j+m].
            ulong carry = 0, borrow = 0;
            for (var i = 0; i < m; i++)
            {
                var hi = Math.BigMul(qhat, vn[i], out var lo);
                lo += carry;
                hi += lo < carry ? 1UL : 0UL;
                carry = hi;
                var x = un[i + j];
                var t = x - lo;
                var b = x < lo ? 1UL : 0UL;
                var t2 = t - borrow;
                b += t < borrow ? 1UL : 0UL;
                un[i + j] = t2;
                borrow = b;
            }

            var top = un[j + m];
            var tt = top - carry;
            var negative = top < carry;
            var tt2 = tt - borrow;
            negative |= tt < borrow;
            un[j + m] = tt2;

            if (negative)
            {
                // qhat was one too big (rare): add the divisor back.
                qhat--;
                ulong c = 0;
                for (var i = 0; i < m; i++)
                {
                    var (sum, c2) = AddLimb(un[i + j], vn[i], c);
                    un[i + j] = sum;
                    c = c2;
                }

                un[j + m] += c;
            }

            quotient[j] = qhat;
        }

        // Denormalise the remainder.
        for (var i = 0; i < m; i++)
            remainder[i] = s == 0 ? un[i] : (un[i] >> s) | (un[i + 1] << (64 - s));
    }

    /// <summary>Short division of <paramref name="u"/> by one limb <paramref name="d"/> whose leading zero count is
    /// <paramref name="s"/>: one reciprocal, then two multiplications per limb (Möller–Granlund 2011, algorithm 4).</summary>
    private static void DivRemBy1(ReadOnlySpan<ulong> u, ulong d, int s, Span<ulong> quotient, out ulong remainder)
    {
        var n = u.Length;
        if (X86Base.X64.IsSupported)
        {
            // One DIV per limb (the running remainder stays below d, so no normalisation is needed).
            ulong r = 0;
            for (var i = n - 1; i >= 0; i--)
            {
#pragma warning disable SYSLIB5004 // see DivRem128By64
                (quotient[i], r) = X86Base.X64.DivRem(u[i], r, d);
#pragma warning restore SYSLIB5004
            }

            remainder = r;
            return;
        }

        d <<= s;
        var reciprocal = Reciprocal2By1(d);
        ulong rem = s == 0 ? 0 : u[n - 1] >> (64 - s);
        for (var i = n - 1; i >= 0; i--)
        {
            var digit = s == 0 ? u[i] : (u[i] << s) | (i > 0 ? u[i - 1] >> (64 - s) : 0);
            quotient[i] = DivRem2By1(rem, digit, d, reciprocal, out rem);
        }

        remainder = rem >> s;
    }

    /// <summary>Division of <paramref name="u"/> (n ≥ 2 limbs) by the two-limb (d1, d0) whose leading zero count is
    /// <paramref name="s"/>: one reciprocal, then one 3-by-2 division per quotient limb (Möller–Granlund algorithm 5).
    /// Writes n − 1 quotient limbs.</summary>
    private static void DivRemBy2(ReadOnlySpan<ulong> u, ulong d1, ulong d0, int s, Span<ulong> quotient, out ulong remainder1, out ulong remainder0)
    {
        var n = u.Length;
        if (s != 0)
        {
            d1 = (d1 << s) | (d0 >> (64 - s));
            d0 <<= s;
        }

        var reciprocal = Reciprocal3By2(d1, d0);

        // The normalised numerator's top two limbs, (r1, r0) < d since r1 < 2^s ≤ d1.
        ulong r1, r0;
        if (s == 0)
        {
            (r1, r0) = (0, u[n - 1]);
            for (var j = n - 2; j >= 0; j--) quotient[j] = DivRem3By2(ref r1, ref r0, u[j], d1, d0, reciprocal);
        }
        else
        {
            var back = 64 - s;
            (r1, r0) = (u[n - 1] >> back, (u[n - 1] << s) | (u[n - 2] >> back));
            for (var j = n - 2; j > 0; j--)
                quotient[j] = DivRem3By2(ref r1, ref r0, (u[j] << s) | (u[j - 1] >> back), d1, d0, reciprocal);
            quotient[0] = DivRem3By2(ref r1, ref r0, u[0] << s, d1, d0, reciprocal);
        }

        if (s == 0)
        {
            (remainder1, remainder0) = (r1, r0);
        }
        else
        {
            remainder0 = (r0 >> s) | (r1 << (64 - s));
            remainder1 = r1 >> s;
        }
    }

    /// <summary>
    /// v = ⌊(2^128 − 1)/d⌋ − 2^64 for a normalised d (the 2-by-1 reciprocal). Without a 128/64-bit division
    /// instruction: Möller–Granlund 2011, algorithm 2 (a 9-bit table estimate refined by Newton steps).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Reciprocal2By1(ulong d) =>
        // A 128/64-bit DIV is ~10–20 cycles on current x64 cores, cheaper than the Newton steps.
        X86Base.X64.IsSupported ? DivRem128By64(~d, ulong.MaxValue, d, out _) : Reciprocal2By1Newton(d);

    /// <summary>The division-free <see cref="Reciprocal2By1"/> (non-x64 targets; tested against the DIV form).</summary>
    internal static ulong Reciprocal2By1Newton(ulong d)
    {
        var d9 = d >> 55;
        ulong v0 = ReciprocalTable[(int)(d9 - 256)];
        var d40 = (d >> 24) + 1;
        var v1 = (v0 << 11) - (uint)((v0 * v0 * d40) >> 40) - 1;
        var v2 = (v1 << 13) + ((v1 * ((1UL << 60) - v1 * d40)) >> 47);
        var d0 = d & 1;
        var d63 = (d >> 1) + d0; // ⌈d/2⌉
        var e = ((v2 >> 1) & (0 - d0)) - v2 * d63;
        var v3 = (Math.BigMul(v2, e, out _) >> 1) + (v2 << 31);
        var hi = Math.BigMul(v3, d, out var lo);
        lo += d;
        hi += lo < d ? 1UL : 0UL;
        return v3 - hi - d;
    }

    /// <summary>As <see cref="Reciprocal2By1"/>, by one 128/64-bit division (the definition; used by the tests).</summary>
    internal static ulong Reciprocal2By1ByDivision(ulong d) => DivRem128By64Portable(~d, ulong.MaxValue, d, out _);

    /// <summary>⌊(2^19 − 3·2^8)/d9⌋ for the 9-bit prefixes d9 = 256..511 of a normalised divisor.</summary>
    private static readonly ushort[] ReciprocalTable = BuildReciprocalTable();

    private static ushort[] BuildReciprocalTable()
    {
        var table = new ushort[256];
        for (var i = 0; i < 256; i++) table[i] = (ushort)(0x7FD00 / (0x100 | i));
        return table;
    }

    /// <summary>v = ⌊(2^192 − 1)/d⌋ − 2^64 for a normalised two-limb d = (d1, d0) (the 3-by-2 reciprocal).</summary>
    private static ulong Reciprocal3By2(ulong d1, ulong d0)
    {
        var v = Reciprocal2By1(d1);
        var p = d1 * v;
        p += d0;
        if (p < d0)
        {
            v--;
            if (p >= d1)
            {
                v--;
                p -= d1;
            }

            p -= d1;
        }

        var th = Math.BigMul(v, d0, out var tl);
        p += th;
        if (p < th)
        {
            v--;
            if (new UInt128(p, tl) >= new UInt128(d1, d0)) v--;
        }

        return v;
    }

    /// <summary>⌊(uh·2^64 + ul)/d⌋ and the remainder for a normalised d with reciprocal v and uh &lt; d.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong DivRem2By1(ulong uh, ulong ul, ulong d, ulong v, out ulong remainder)
    {
        var qh = Math.BigMul(v, uh, out var ql);
        ql += ul;
        qh += uh + (ql < ul ? 1UL : 0UL);
        qh++;
        var r = ul - qh * d;
        if (r > ql)
        {
            qh--;
            r += d;
        }

        if (r >= d)
        {
            qh++;
            r -= d;
        }

        remainder = r;
        return qh;
    }

    /// <summary>⌊(r1·2^128 + r0·2^64 + u0)/d⌋ for a normalised two-limb d = (d1, d0) with reciprocal v and
    /// (r1, r0) &lt; d; the remainder replaces (r1, r0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong DivRem3By2(ref ulong r1, ref ulong r0, ulong u0, ulong d1, ulong d0, ulong v)
    {
        var u2 = r1;
        var u1 = r0;
        var qh = Math.BigMul(v, u2, out var ql);
        ql += u1;
        qh += u2 + (ql < u1 ? 1UL : 0UL);
        var x1 = u1 - qh * d1;
        var th = Math.BigMul(d0, qh, out var tl);

        // (x1, x0) = (x1, u0) − (th, tl) − (d1, d0)  mod 2^128
        var x0 = u0 - tl;
        x1 = x1 - th - (u0 < tl ? 1UL : 0UL);
        var borrow = x0 < d0 ? 1UL : 0UL;
        x0 -= d0;
        x1 = x1 - d1 - borrow;

        qh++;
        if (x1 >= ql)
        {
            qh--;
            x0 += d0;
            x1 += d1 + (x0 < d0 ? 1UL : 0UL);
        }

        if (x1 > d1 || (x1 == d1 && x0 >= d0))
        {
            qh++;
            var b = x0 < d0 ? 1UL : 0UL;
            x0 -= d0;
            x1 = x1 - d1 - b;
        }

        r1 = x1;
        r0 = x0;
        return qh;
    }

    /// <summary>
    /// ⌊(hi·2^64 + lo)/d⌋ and the remainder, for a normalised d (top bit set) and hi &lt; d, so the quotient fits in
    /// 64 bits. One DIV instruction on x64; <see cref="DivRem128By64Portable"/> elsewhere.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong DivRem128By64(ulong hi, ulong lo, ulong d, out ulong remainder)
    {
        if (X86Base.X64.IsSupported)
        {
            // X86Base.X64.DivRem is marked experimental (SYSLIB5004) only because its API may change; it is the
            // plain DIV r64 instruction, which cannot fault here as hi < d.
#pragma warning disable SYSLIB5004
            var (q, r) = X86Base.X64.DivRem(lo, hi, d);
#pragma warning restore SYSLIB5004
            remainder = r;
            return q;
        }

        return DivRem128By64Portable(hi, lo, d, out remainder);
    }

    /// <summary>As <see cref="DivRem128By64"/> with 64-bit arithmetic only (Hacker's Delight divlu: two 64/32-bit
    /// digit divisions); d normalised, hi &lt; d.</summary>
    internal static ulong DivRem128By64Portable(ulong hi, ulong lo, ulong d, out ulong remainder)
    {
        const ulong b = 1UL << 32;
        var vn1 = d >> 32;
        var vn0 = d & 0xFFFF_FFFF;
        var un1 = lo >> 32;
        var un0 = lo & 0xFFFF_FFFF;

        var q1 = hi / vn1;
        var rhat = hi - q1 * vn1;
        while (q1 >= b || q1 * vn0 > (rhat << 32) + un1)
        {
            q1--;
            rhat += vn1;
            if (rhat >= b) break;
        }

        var un21 = (hi << 32) + un1 - q1 * d;
        var q0 = un21 / vn1;
        rhat = un21 - q0 * vn1;
        while (q0 >= b || q0 * vn0 > (rhat << 32) + un0)
        {
            q0--;
            rhat += vn1;
            if (rhat >= b) break;
        }

        remainder = (un21 << 32) + un0 - q0 * d;
        return (q1 << 32) + q0;
    }

    // ------------------------------------------------------------------ FullMath

    /// <summary>
    /// FullMath.mulDiv: ⌊a·b/denominator⌋ with a 512-bit intermediate product. Throws
    /// <see cref="CurveMathException"/> exactly as <see cref="FullMath.MulDiv"/> ("mulDiv: denominator is zero",
    /// "mulDiv: overflow" when the result is ≥ 2^256).
    /// </summary>
    public static UInt256 MulDiv(in UInt256 a, in UInt256 b, in UInt256 denominator) =>
        MulDivCore(a, b, denominator, out _);

    /// <summary>
    /// FullMath.mulDivRoundingUp: ⌈a·b/denominator⌉. Throws as <see cref="MulDiv"/>, and
    /// "mulDivRoundingUp: overflow" when rounding up passes 2^256 − 1.
    /// </summary>
    public static UInt256 MulDivRoundingUp(in UInt256 a, in UInt256 b, in UInt256 denominator)
    {
        var q = MulDivCore(a, b, denominator, out var inexact);
        if (!inexact) return q;
        var up = AddWithCarry(q, One, out var overflow);
        return overflow ? throw new CurveMathException("mulDivRoundingUp: overflow") : up;
    }

    private static UInt256 MulDivCore(in UInt256 a, in UInt256 b, in UInt256 denominator, out bool inexact)
    {
        if (denominator.IsZero) throw new CurveMathException("mulDiv: denominator is zero");

        // Fee arithmetic (amount·pips/1e6): a 128-bit by 64-bit product over a 64-bit denominator, three digit
        // divisions (the quotient is below 2^192, so it cannot overflow).
        if (denominator.FitsInUInt64 && b.FitsInUInt64 && a.FitsInUInt128)
            return MulDiv128By64Over64(a.U0, a.U1, b.U0, denominator.U0, out inexact);
        if (denominator.FitsInUInt64 && a.FitsInUInt64 && b.FitsInUInt128)
            return MulDiv128By64Over64(b.U0, b.U1, a.U0, denominator.U0, out inexact);

        Span<ulong> prod = stackalloc ulong[8];
        Multiply512(a, b, prod);
        var dLimbs = denominator.LimbCount;

        // The quotient is < 2^256 exactly when the product's high half is below the denominator (FullMath's
        // require(denominator > prod1)).
        var high = new UInt256(prod[4], prod[5], prod[6], prod[7]);
        if (high >= denominator) throw new CurveMathException("mulDiv: overflow");

        var n = 8;
        while (n > 0 && prod[n - 1] == 0) n--;
        if (n == 0)
        {
            inexact = false;
            return default;
        }

        // A power-of-two denominator (Q96 in getAmount1Delta) is a shift.
        if (IsPowerOfTwo(denominator))
        {
            var shift = denominator.BitLength - 1;
            return ShiftRight512(prod, shift, out inexact);
        }

        if (n < dLimbs)
        {
            inexact = true;
            return default;
        }

        Span<ulong> quotient = stackalloc ulong[8];
        Span<ulong> remainder = stackalloc ulong[4];
        DivRemLimbs(prod[..n], Limbs(denominator)[..dLimbs], quotient, remainder);
        inexact = (remainder[0] | remainder[1] | remainder[2] | remainder[3]) != 0;
        return new UInt256(quotient[0], quotient[1], quotient[2], quotient[3]);
    }

    private static UInt256 MulDiv128By64Over64(ulong a0, ulong a1, ulong b, ulong d, out bool inexact)
    {
        var h0 = Math.BigMul(a0, b, out var p0);
        var p2 = Math.BigMul(a1, b, out var p1);
        p1 += h0;
        p2 += p1 < h0 ? 1UL : 0UL;
        var q2 = p2 / d;
        var r = p2 - q2 * d;
        var (q1, r1) = UInt128.DivRem(new UInt128(r, p1), d);
        var (q0, r0) = UInt128.DivRem(new UInt128((ulong)r1, p0), d);
        inexact = r0 != 0;
        return new UInt256((ulong)q0, (ulong)q1, q2, 0);
    }

    private static bool IsPowerOfTwo(in UInt256 x) =>
        BitOperations.PopCount(x.U0) + BitOperations.PopCount(x.U1) + BitOperations.PopCount(x.U2) + BitOperations.PopCount(x.U3) == 1;

    /// <summary>The 512-bit <paramref name="p"/> shifted right by <paramref name="shift"/> (0..255), whose result is
    /// known to fit 256 bits, and whether any 1 bits were shifted out.</summary>
    private static UInt256 ShiftRight512(ReadOnlySpan<ulong> p, int shift, out bool inexact)
    {
        var limbs = shift >> 6;
        var bits = shift & 63;
        ulong lost = 0;
        for (var i = 0; i < limbs; i++) lost |= p[i];
        if (bits != 0) lost |= p[limbs] << (64 - bits);
        inexact = lost != 0;
        Span<ulong> r = stackalloc ulong[4];
        for (var i = 0; i < 4; i++)
        {
            var k = i + limbs;
            var lo = k < 8 ? p[k] : 0;
            var hi = k + 1 < 8 ? p[k + 1] : 0;
            r[i] = bits == 0 ? lo : (lo >> bits) | (hi << (64 - bits));
        }

        return new UInt256(r[0], r[1], r[2], r[3]);
    }

    // ------------------------------------------------------------------ shifts and bitwise

    /// <summary>x·2^shift mod 2^256 (EVM SHL: 0 for shift ≥ 256). Negative shifts throw.</summary>
    public static UInt256 operator <<(UInt256 x, int shift)
    {
        if ((uint)shift >= 256)
            return shift < 0 ? throw new ArgumentOutOfRangeException(nameof(shift), shift, "must not be negative") : default;
        var (a0, a1, a2, a3) = (x.U0, x.U1, x.U2, x.U3);
        switch (shift >> 6)
        {
            case 1: (a3, a2, a1, a0) = (a2, a1, a0, 0); break;
            case 2: (a3, a2, a1, a0) = (a1, a0, 0, 0); break;
            case 3: (a3, a2, a1, a0) = (a0, 0, 0, 0); break;
        }

        var bits = shift & 63;
        if (bits == 0) return new UInt256(a0, a1, a2, a3);
        var back = 64 - bits;
        return new UInt256(a0 << bits, (a1 << bits) | (a0 >> back), (a2 << bits) | (a1 >> back), (a3 << bits) | (a2 >> back));
    }

    /// <summary>⌊x/2^shift⌋ (EVM SHR: 0 for shift ≥ 256). Negative shifts throw.</summary>
    public static UInt256 operator >>(UInt256 x, int shift)
    {
        if ((uint)shift >= 256)
            return shift < 0 ? throw new ArgumentOutOfRangeException(nameof(shift), shift, "must not be negative") : default;
        var (a0, a1, a2, a3) = (x.U0, x.U1, x.U2, x.U3);
        switch (shift >> 6)
        {
            case 1: (a0, a1, a2, a3) = (a1, a2, a3, 0); break;
            case 2: (a0, a1, a2, a3) = (a2, a3, 0, 0); break;
            case 3: (a0, a1, a2, a3) = (a3, 0, 0, 0); break;
        }

        var bits = shift & 63;
        if (bits == 0) return new UInt256(a0, a1, a2, a3);
        var back = 64 - bits;
        return new UInt256((a0 >> bits) | (a1 << back), (a1 >> bits) | (a2 << back), (a2 >> bits) | (a3 << back), a3 >> bits);
    }

    public static UInt256 operator &(UInt256 a, UInt256 b) => new(a.U0 & b.U0, a.U1 & b.U1, a.U2 & b.U2, a.U3 & b.U3);

    public static UInt256 operator |(UInt256 a, UInt256 b) => new(a.U0 | b.U0, a.U1 | b.U1, a.U2 | b.U2, a.U3 | b.U3);

    public static UInt256 operator ^(UInt256 a, UInt256 b) => new(a.U0 ^ b.U0, a.U1 ^ b.U1, a.U2 ^ b.U2, a.U3 ^ b.U3);

    public static UInt256 operator ~(UInt256 a) => new(~a.U0, ~a.U1, ~a.U2, ~a.U3);

    // ------------------------------------------------------------------ comparison

    public static bool operator ==(UInt256 a, UInt256 b) => a.Equals(b);

    public static bool operator !=(UInt256 a, UInt256 b) => !a.Equals(b);

    public static bool operator <(UInt256 a, UInt256 b) => Compare(a, b) < 0;

    public static bool operator >(UInt256 a, UInt256 b) => Compare(a, b) > 0;

    public static bool operator <=(UInt256 a, UInt256 b) => Compare(a, b) <= 0;

    public static bool operator >=(UInt256 a, UInt256 b) => Compare(a, b) >= 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Compare(in UInt256 a, in UInt256 b)
    {
        if (a.U3 != b.U3) return a.U3 < b.U3 ? -1 : 1;
        if (a.U2 != b.U2) return a.U2 < b.U2 ? -1 : 1;
        if (a.U1 != b.U1) return a.U1 < b.U1 ? -1 : 1;
        if (a.U0 != b.U0) return a.U0 < b.U0 ? -1 : 1;
        return 0;
    }

    public static UInt256 Min(UInt256 a, UInt256 b) => a <= b ? a : b;

    public static UInt256 Max(UInt256 a, UInt256 b) => a >= b ? a : b;

    public bool Equals(UInt256 other) =>
        ((U0 ^ other.U0) | (U1 ^ other.U1) | (U2 ^ other.U2) | (U3 ^ other.U3)) == 0;

    public override bool Equals(object? obj) => obj is UInt256 other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(U0, U1, U2, U3);

    public int CompareTo(UInt256 other) => Compare(this, other);

    public int CompareTo(object? obj) => obj switch
    {
        null => 1,
        UInt256 other => Compare(this, other),
        _ => throw new ArgumentException("not a UInt256", nameof(obj)),
    };

    /// <summary>Decimal digits.</summary>
    public override string ToString() => ToBigInteger().ToString(CultureInfo.InvariantCulture);

    // ------------------------------------------------------------------ limbs

    /// <summary>The four limbs as a span (the fields are laid out in order, least significant first).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ReadOnlySpan<ulong> Limbs(in UInt256 x) => MemoryMarshal.CreateReadOnlySpan(in x.U0, 4);

    /// <summary>The number of limbs up to the most significant non-zero one (0 for zero).</summary>
    private int LimbCount => U3 != 0 ? 4 : U2 != 0 ? 3 : U1 != 0 ? 2 : U0 != 0 ? 1 : 0;
}
