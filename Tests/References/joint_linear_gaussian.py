"""Reference for kls's joint(): a two-layer linear-Gaussian chain's KL, exact,
through the equivalent joint Gaussian, with NumPy (never kls).
q: z1 ~ N(m1, diag s1²), z2 | z1 ~ N(A z1 + b, diag s2²);
p: z1 ~ N(0, I),        z2 | z1 ~ N(C z1, I).
Prints the values Tests/EndToEndTests/Scripts/joint.kls checks kl and kl_mc
against: this chain's KL, then a three-layer chain of mixed kinds.
Run: python3 Tests/References/joint_linear_gaussian.py"""
import numpy as np

m1 = np.array([0.3, -0.2])
s1 = np.array([0.9, 1.1])
A = np.array([[0.5, -0.3], [0.2, 0.8], [-0.4, 0.1]])
b = np.array([0.1, 0.0, -0.1])
s2 = np.array([0.8, 0.9, 1.0])
C = np.array([[0.2, 0.0], [0.0, 0.3], [0.1, 0.1]])


def chain(mean1, cov1, a, shift, cov2):
    mean = np.concatenate([mean1, a @ mean1 + shift])
    top = np.hstack([cov1, cov1 @ a.T])
    bottom = np.hstack([a @ cov1, a @ cov1 @ a.T + cov2])
    return mean, np.vstack([top, bottom])


mq, Sq = chain(m1, np.diag(s1**2), A, b, np.diag(s2**2))
mp, Sp = chain(np.zeros(2), np.eye(2), C, np.zeros(3), np.eye(3))
k = len(mq)
Sp_inv = np.linalg.inv(Sp)
d = mp - mq
kl = 0.5 * (np.trace(Sp_inv @ Sq) + d @ Sp_inv @ d - k + np.log(np.linalg.det(Sp) / np.linalg.det(Sq)))
print(repr(float(kl)))


def assemble(layers):
    """Joint mean and covariance of z_l = offset_l + B_l z_(<l) + eps_l, eps_l ~ N(0, S_l)."""
    mean, cov = np.zeros(0), np.zeros((0, 0))
    for offset, B, S in layers:
        m = offset + (B @ mean if len(mean) else 0)
        cross = B @ cov if len(mean) else np.zeros((len(offset), 0))
        var = (B @ cov @ B.T if len(mean) else 0) + S
        cov = np.block([[cov, cross.T], [cross, var]]) if len(mean) else var
        mean = np.concatenate([mean, m])
    return mean, cov


def gaussian_kl(mq, Sq, mp, Sp):
    inv = np.linalg.inv(Sp)
    diff = mp - mq
    return 0.5 * (np.trace(inv @ Sq) + diff @ inv @ diff - len(mq) + np.log(np.linalg.det(Sp) / np.linalg.det(Sq)))


# Three layers of mixed kinds (joint.kls): a scalar, a scalar, and a 2-d MvNormal.
q3 = assemble([
    (np.array([0.5]), np.zeros((1, 0)), np.array([[1.44]])),
    (np.array([-1.0]), np.array([[2.0]]), np.array([[0.25]])),
    (np.zeros(2), np.array([[1.0, 1.0], [1.0, -1.0]]), np.array([[1.0, 0.3], [0.3, 2.0]])),
])
p3 = assemble([
    (np.array([0.0]), np.zeros((1, 0)), np.array([[1.0]])),
    (np.array([0.0]), np.array([[1.0]]), np.array([[1.0]])),
    (np.zeros(2), np.array([[0.0, 1.0], [0.0, 1.0]]), np.diag([1.0, 2.25])),
])
print(repr(float(gaussian_kl(*q3, *p3))))


# Any order: the same q (z1 then z2) against a top-down p, z2 ~ N(0, I) and
# z1 | z2 ~ N(D z2 + e, diag t²) — p's joint Gaussian is assembled in its own
# order (z2, z1) and its coordinates put in q's (z1, z2) before the KL.
D = np.array([[0.4, -0.1, 0.2], [0.0, 0.3, -0.5]])
e = np.array([0.05, -0.1])
t = np.array([0.7, 1.2])
mp2, Sp2 = assemble([(np.zeros(3), np.zeros((3, 0)), np.eye(3)), (e, D, np.diag(t**2))])
order = [3, 4, 0, 1, 2]
print(repr(float(gaussian_kl(mq, Sq, mp2[order], Sp2[np.ix_(order, order)]))))
