package scan

// Reed–Solomon decoding over GF(256) as QR codes use it (primitive
// polynomial x⁸+x⁴+x³+x²+1, generator roots α⁰…α^(ecc−1)), with erasures.

var gfExp, gfLog = func() ([512]byte, [256]int) {
	var exp [512]byte
	var log [256]int
	x := 1
	for i := 0; i < 255; i++ {
		exp[i] = byte(x)
		log[x] = i
		x <<= 1
		if x&0x100 != 0 {
			x ^= 0x11d
		}
	}
	for i := 255; i < 512; i++ {
		exp[i] = exp[i-255]
	}
	return exp, log
}()

func gfMul(a, b byte) byte {
	if a == 0 || b == 0 {
		return 0
	}
	return gfExp[gfLog[a]+gfLog[b]]
}

func gfInv(a byte) byte { return gfExp[255-gfLog[a]] }

// gfPow returns α^e for any integer e.
func gfPow(e int) byte {
	e %= 255
	if e < 0 {
		e += 255
	}
	return gfExp[e]
}

// polyEval evaluates p (p[i] the coefficient of xⁱ) at x.
func polyEval(p []byte, x byte) byte {
	var r byte
	for i := len(p) - 1; i >= 0; i-- {
		r = gfMul(r, x) ^ p[i]
	}
	return r
}

// rsCorrect corrects cw (data then ecc EC codewords, first byte the highest
// power) in place, given the indices of erased codewords. It succeeds only
// if e + 2t ≤ ecc − margin for e erasures and t errors (margin applies
// when there are erasures), and the result checks out.
func rsCorrect(cw []byte, ecc int, erasures []int, margin int) bool {
	n := len(cw)
	e := len(erasures)
	if e > 0 && e > ecc-margin {
		return false
	}
	synd := make([]byte, ecc)
	zero := true
	rev := reversed(cw)
	for j := 0; j < ecc; j++ {
		synd[j] = polyEval(rev, gfPow(j))
		if synd[j] != 0 {
			zero = false
		}
	}
	if zero {
		return true
	}
	// Erasure locator Γ(x) = Π (1 + X_k x), X_k = α^(n−1−pos).
	lambda := []byte{1}
	for _, pos := range erasures {
		xk := gfPow(n - 1 - pos)
		next := make([]byte, len(lambda)+1)
		for i, c := range lambda {
			next[i] ^= c
			next[i+1] ^= gfMul(c, xk)
		}
		lambda = next
	}
	b := append([]byte(nil), lambda...)
	L := e
	for r := e; r < ecc; r++ {
		var delta byte
		for i := 0; i <= L && i < len(lambda) && i <= r; i++ {
			delta ^= gfMul(lambda[i], synd[r-i])
		}
		xb := append([]byte{0}, b...) // x·B
		if delta == 0 {
			b = xb
			continue
		}
		t := make([]byte, max(len(lambda), len(xb)))
		copy(t, lambda)
		for i, c := range xb {
			t[i] ^= gfMul(delta, c)
		}
		if 2*L <= r+e {
			inv := gfInv(delta)
			b = make([]byte, len(lambda))
			for i, c := range lambda {
				b[i] = gfMul(c, inv)
			}
			L = r + 1 + e - L
		} else {
			b = xb
		}
		lambda = t
	}
	for len(lambda) > 1 && lambda[len(lambda)-1] == 0 {
		lambda = lambda[:len(lambda)-1]
	}
	deg := len(lambda) - 1
	if deg != L {
		return false
	}
	t := L - e
	if 2*t+e > ecc || (e > 0 && 2*t+e > ecc-margin) {
		return false
	}
	// Chien search.
	var locs []int
	for pos := 0; pos < n; pos++ {
		if polyEval(lambda, gfPow(-(n-1-pos))) == 0 {
			locs = append(locs, pos)
		}
	}
	if len(locs) != deg {
		return false
	}
	// Forney: Ω = S·Λ mod x^ecc; magnitude X·Ω(X⁻¹)/Λ'(X⁻¹).
	omega := make([]byte, ecc)
	for i, s := range synd {
		for j, c := range lambda {
			if i+j < ecc {
				omega[i+j] ^= gfMul(s, c)
			}
		}
	}
	deriv := make([]byte, len(lambda))
	for i := 1; i < len(lambda); i += 2 {
		deriv[i-1] = lambda[i]
	}
	fixed := append([]byte(nil), cw...)
	for _, pos := range locs {
		x := gfPow(n - 1 - pos)
		xinv := gfInv(x)
		den := polyEval(deriv, xinv)
		if den == 0 {
			return false
		}
		mag := gfMul(gfMul(x, polyEval(omega, xinv)), gfInv(den))
		fixed[pos] ^= mag
	}
	rev = reversed(fixed)
	for j := 0; j < ecc; j++ {
		if polyEval(rev, gfPow(j)) != 0 {
			return false
		}
	}
	copy(cw, fixed)
	return true
}

// reversed returns cw as polynomial coefficients, lowest power first.
func reversed(cw []byte) []byte {
	r := make([]byte, len(cw))
	for i, c := range cw {
		r[len(cw)-1-i] = c
	}
	return r
}
