"""Reference for kls's joint(): a two-layer linear-Gaussian chain's KL, exact,
through the equivalent joint Gaussian, with NumPy (never kls).
q: z1 ~ N(m1, diag s1²), z2 | z1 ~ N(A z1 + b, diag s2²);
p: z1 ~ N(0, I),        z2 | z1 ~ N(C z1, I).
Prints the value that Tests/EndToEndTests/Scripts/joint.kls checks kl_mc against.
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
