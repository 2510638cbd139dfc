//! Subnormal gradients flushed to zero.
//!
//! A network that has grown confident (a high learning rate, a few epochs in) gives softmax
//! probabilities below `f32::MIN_POSITIVE` (`exp(-88)`) for the wrong classes, so the loss's
//! gradient, and every gradient computed from it, holds subnormal numbers. x86 cores compute with
//! a subnormal operand through a microcode assist about a hundred times slower than a plain
//! multiply-add: on the paper preset a tune trial of hidden 512 and learning rate 3.8e-3 took
//! 184 s a fit where the same network at 9.5e-4 took 30 s, 69 % of it in the input layer's
//! weight-gradient kernel and 23 % in Adam (perf). TensorFlow runs its CPU kernels with
//! flush-to-zero set for the same reason; here the gradients are flushed explicitly where they
//! enter the expensive steps (the input layer's output gradient, Adam's update), which changes
//! nothing where no subnormal occurs and needs no floating-point mode set on any thread.

/// `v`, or a zero of its sign when `v` is subnormal (a zero exponent field): what a core in
/// flush-to-zero mode would use. Branch-free, so loops over it vectorise.
#[inline(always)]
pub(crate) fn flush(v: f32) -> f32 {
    let bits = v.to_bits();
    if bits & 0x7f80_0000 == 0 {
        f32::from_bits(bits & 0x8000_0000)
    } else {
        v
    }
}

/// Every subnormal value of `values` flushed to a zero of its sign ([`flush`]).
pub(crate) fn flush_all(values: &mut [f32]) {
    for v in values {
        *v = flush(*v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subnormals_become_zeros_of_their_sign_and_everything_else_stays() {
        let tiny = f32::MIN_POSITIVE / 4.0;
        assert!(tiny.is_subnormal());
        assert_eq!(flush(tiny).to_bits(), 0.0f32.to_bits());
        assert_eq!(flush(-tiny).to_bits(), (-0.0f32).to_bits());
        for v in [
            0.0f32,
            -0.0,
            f32::MIN_POSITIVE,
            -f32::MIN_POSITIVE,
            1.5,
            -3e30,
            f32::INFINITY,
        ] {
            assert_eq!(flush(v).to_bits(), v.to_bits(), "{v}");
        }
        assert!(flush(f32::NAN).is_nan());
        let mut values = vec![tiny, 2.0, -tiny];
        flush_all(&mut values);
        assert_eq!(values, [0.0, 2.0, 0.0]);
    }
}
