"""The lessons' exercise sections ("## 연습문제 (exercises)") as data, and the command that puts them in.

    python -m tools.exercises insert            # append or replace the section in notebooks/01_..06_
    python -m tools.exercises insert --notebooks DIR
    python -m tools.exercises check             # exit 1 if a lesson's section differs from this file

The section is the last part of each lesson: every cell from the first one tagged
``exercises`` (or, failing that, the first markdown cell starting with the section
title) to the end of the notebook is replaced, so running ``insert`` twice changes
nothing. The inserted code cells carry no outputs: execute the notebook afterwards.
Left unanswered, every code cell runs and its checker prints "아직 답하지 않았습니다
(not answered yet)" (``utils.exercises``). The worked answers are the notebooks in
``notebooks/solutions/``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
TAG = "exercises"
TITLE = "## 연습문제 (exercises)"

INTRO = (TITLE + "\n\n"
         "{lead}\n\n"
         "문제는 세 종류입니다: **(가)** 종이에서 유도한 뒤 숫자 하나로 확인하는 문제, **(나)** 준비된 셀에 짧은 코드를 "
         "채우는 문제, **(다)** 작은 실험으로 재고 물음에 답하는 문제. `check_...` 셀은 답이 맞는지, 틀렸다면 어떤 종류의 "
         "실수로 보이는지(모양, 전치, 부호, 합과 평균, ...)를 말해 주고 답 자체는 알려 주지 않습니다. 답을 채우지 않은 "
         "셀은 \"아직 답하지 않았습니다 (not answered yet)\"라고만 합니다.")

LESSONS: dict[str, list[tuple[str, str]]] = {}

# --------------------------------------------------------------------------- 01
LESSONS["01"] = [
    ("markdown", INTRO.format(lead="이 노트북의 행렬 $C$, $C^\\top$, 출력 크기 규칙과 체커보드 무늬를 손과 코드로 다시 다룹니다.")),
    ("markdown", r"""### 연습문제 1 (가): 스트라이드 2, `"same"` 패딩의 합성곱 행렬

커널 크기 $m = 3$인 커널 $K = \begin{pmatrix}1&2&3\\4&5&6\\7&8&9\end{pmatrix}$로 $4\times4$ 입력을 스트라이드 $s = 2$, `padding="same"`으로 합성곱합니다.

1. 5절의 규칙으로 출력의 모양과 패딩(위·아래, 왼쪽·오른쪽에 각각 몇 줄)을 정하십시오.
2. 합성곱 행렬 $C$를 종이에 한 행씩 적어 아래 셀의 `C`에 넣으십시오(`conv_matrix`를 쓰지 말고).
3. 그다음 셀이 $C\,\mathrm{vec}(x)$와 `tf.nn.conv2d(..., strides=2, padding="SAME")`를 비교합니다."""),
    ("code", """from utils.exercises import check_conv_matrix_same

C = None   # your matrix, one row per output pixel: np.array([[...], ...])
check_conv_matrix_same(C)"""),
    ("code", """K = np.arange(1, 10).reshape(3, 3)
x4 = np.arange(1, 17).reshape(4, 4)
if C is not None:
    y_tf = tf.nn.conv2d(x4[None, :, :, None].astype("float32"), K[:, :, None, None].astype("float32"),
                        strides=2, padding="SAME")
    print("C @ vec(x) == tf.nn.conv2d:", np.array_equal(np.asarray(C) @ x4.ravel(), np.ravel(y_tf)))"""),
    ("markdown", r"""### 연습문제 2 (가): 전치 합성곱으로 $2\times2$를 $4\times4$로

연습문제 1의 $C$로 $C^\top \mathrm{vec}(y)$를 계산합니다. $y = \begin{pmatrix}1&2\\3&4\end{pmatrix}$입니다.
종이에서 "입력값마다 커널을 찍고 겹치는 곳은 더하기"(3절)로 $4\times4$ 결과를 구해 `up`에 넣으십시오.
그다음 셀이 같은 커널의 `Conv2DTranspose(1, 3, strides=2, padding="same")`와 비교합니다. 출력이 왜 $4\times4$인지도 5절의 표로 설명하십시오."""),
    ("code", """from utils.exercises import check_transposed_conv_output

up = None   # your 4 x 4 array
check_transposed_conv_output(up)"""),
    ("code", """if up is not None:
    layer = keras.layers.Conv2DTranspose(1, 3, strides=2, padding="same", use_bias=False)
    layer.build((None, 2, 2, 1))
    layer.set_weights([np.arange(1, 10).reshape(3, 3, 1, 1).astype("float32")])
    y_small = np.array([[1, 2], [3, 4]], dtype="float32")[None, :, :, None]
    print("Conv2DTranspose == your C^T vec(y):", np.array_equal(np.asarray(layer(y_small))[0, :, :, 0], np.asarray(up)))"""),
    ("markdown", r"""### 연습문제 3 (나): 커널 찍기로 전치 합성곱 함수 쓰기

`"valid"` 전치 합성곱을 행렬 없이 계산하는 함수를 완성하십시오: 입력 $y$ ($h\times w$)의 원소마다 $y_{ij}\cdot K$를
출력의 $(i s,\ j s)$ 자리에 찍고, 겹치는 곳은 더합니다. 출력의 모양은 $\big((h-1)s + m_h,\ (w-1)s + m_w\big)$입니다.
체커는 창이 겹치는 경우와 겹치지 않는 경우 다섯 가지를 $C^\top\mathrm{vec}(y)$와 비교합니다."""),
    ("code", """from utils.exercises import check_stamp_function

def transposed_conv_by_stamping(y, kernel, stride):
    \"\"\"'valid' transposed convolution of a 2-D array y: stamp y[i, j] * kernel at (i * stride, j * stride).\"\"\"
    ...   # your code: return the ((h - 1) * stride + m_h, (w - 1) * stride + m_w) array

check_stamp_function(transposed_conv_by_stamping)"""),
    ("markdown", r"""### 연습문제 4 (가): $C$는 얼마나 비어 있나

8절의 $196\times784$ 행렬 $C$(커널 $3\times3$, 스트라이드 2, `"same"`, 입력 $28\times28$)에서 0이 아닌 원소는 몇 개입니까?
커널의 원소는 모두 0이 아니라고 합니다. 한 축에서 "출력 위치마다 입력 안에 들어가는 커널 칸 수"를 더하고(마지막 창이 패딩에 걸치는 것에 주의),
두 축이 독립이므로 곱하십시오. 답을 얻으면 $C$의 몇 퍼센트가 0인지도 계산해 보십시오."""),
    ("code", """from utils.exercises import check_nonzero_count

nonzeros = None   # an integer worked out on paper
check_nonzero_count(nonzeros)"""),
    ("markdown", r"""### 연습문제 5 (다): 스트라이드 3에서 체커보드 무늬가 없는 커널 크기

7절처럼 모든 원소가 1인 커널과 상수 입력으로 겹침 횟수를 재어, 스트라이드 $s = 3$인 `Conv2DTranspose`에서
커널 크기 $m = 2, 3, \dots, 9$ 가운데 안쪽(가장자리를 뺀 곳)의 겹침 횟수가 고른 것을 모두 찾으십시오.
그 규칙을 $m$과 $s$로 한 문장에 적으십시오."""),
    ("code", """from utils.exercises import check_flat_kernel_sizes

# measure here: for m in range(2, 10), a stride-3 Conv2DTranspose with a kernel of ones on a constant input
flat_sizes = None   # the kernel sizes m with an even interior, e.g. [2, 5]
check_flat_kernel_sizes(flat_sizes, stride=3)"""),
]

# --------------------------------------------------------------------------- 02
LESSONS["02"] = [
    ("markdown", INTRO.format(lead="PCA의 재생 오차, 재생 손실 $l(x,\\tilde x)$, 그리고 선형 오토인코더와 PCA의 관계를 다룹니다.")),
    ("code", """from utils.data import load_dataset
from utils.exercises import check_choice, check_pca_error, check_principal_cosines, check_sse_function

(x_ex, _), _ = load_dataset(DATASET)
x_small = x_ex[:2000]        # 2,000 training images for exercise 1
print("x_small:", x_small.shape)"""),
    ("markdown", r"""### 연습문제 1 (가): PCA의 재생 오차는 버린 고윳값의 합

자료 $x_1,\dots,x_n$ (각 $k = 784$차원)에 PCA를 $p$개 성분으로 적합하면, 재생 $\tilde x_i = \bar x + V V^\top (x_i - \bar x)$의
이미지 하나당 제곱오차 합의 평균이
$$\frac1n\sum_{i=1}^n \lVert x_i - \tilde x_i\rVert^2 = \sum_{j > p} \lambda_j$$
임을 종이에서 보이십시오. $\lambda_1 \ge \lambda_2 \ge \dots$는 공분산 행렬(분모 $n$)의 고윳값입니다.
그다음 `x_small`의 고윳값으로 $p = 16$일 때의 값을 계산해 답하고, `fit_pca`의 실제 재생으로 잰 값과 비교하십시오."""),
    ("code", """pca_error_16 = None   # mean SSE per image of PCA with p = 16 on x_small, from the eigenvalues
check_pca_error(pca_error_16, x_small, k=16)"""),
    ("markdown", r"""### 연습문제 2 (나): 재생 손실 $l(x, \tilde x)$를 함수로

이미지마다 784개 픽셀의 제곱오차를 **더한** 값(평균이 아님)을 돌려주는 함수를 완성하십시오. 입력은 `(n, 28, 28, 1)` 배열 두 개, 출력은 모양 `(n,)`입니다."""),
    ("code", """def my_sse(x, x_tilde):
    \"\"\"l(x, x~) of each image: the sum of squared errors over its pixels, shape (n,).\"\"\"
    ...   # your code

check_sse_function(my_sse)"""),
    ("markdown", r"""### 연습문제 3 (나): 두 부분공간 사이의 주각(principal angles)

$A$와 $B$가 각각 $d\times p$ 행렬일 때, 두 열공간 사이의 주각 $\theta_1,\dots,\theta_p$의 코사인은 $A$, $B$의 열을 정규직교화한
$Q_A$, $Q_B$에 대해 $Q_A^\top Q_B$의 특이값입니다. 코사인이 모두 1이면 두 부분공간이 같습니다.
코사인 $p$개를 돌려주는 함수를 완성하십시오(`np.linalg.qr`, `np.linalg.svd`)."""),
    ("code", """def principal_cosines(A, B):
    \"\"\"Cosines of the principal angles between the column spaces of A (d, p) and B (d, p).\"\"\"
    ...   # your code

check_principal_cosines(principal_cosines)"""),
    ("markdown", r"""### 연습문제 4 (다): 선형 오토인코더는 PCA의 부분공간을 찾는다

활성화 함수가 없는 인코더 `Dense(16)`와 디코더 `Dense(784)`로 된 **선형** 오토인코더($p = 16$)를 제곱오차 합으로 학습하면,
디코더 가중치의 열들은 PCA-16과 같은 부분공간을 펼친다고 알려져 있습니다(Baldi & Hornik, 1989).
훈련 이미지 10,000장 정도로 몇 에폭 학습하고(`utils.training.train_model`), 연습문제 3의 함수로 디코더 가중치(784×16)와
PCA의 첫 16개 고유벡터 사이의 주각을 재십시오. 디코더의 열 하나하나와 고유벡터 하나하나의 $|$내적$|$(열을 단위 길이로 맞춘 뒤)도 보십시오.

어느 것이 맞습니까? (a) 디코더의 열들이 PCA의 고유벡터 자체이다(순서와 부호만 다르다). (b) 디코더의 열들은 PCA-16과 거의 같은
부분공간을 펼치지만, 고유벡터 자체는 아니다. (c) 디코더의 열들은 PCA-16과 다른 부분공간을 펼친다."""),
    ("code", """# your experiment here: a linear autoencoder with p = 16, trained with the sum of squared errors
answer_4 = None   # "a", "b" or "c"
check_choice("02-4", answer_4)"""),
]

# --------------------------------------------------------------------------- 03
LESSONS["03"] = [
    ("markdown", INTRO.format(lead="오염(corruption)의 통계, PSNR, 제곱오차 아래에서 가장 좋은 오염제거, 그리고 학습한 잡음 수준 밖에서의 DAE를 다룹니다.")),
    ("code", """from utils.exercises import check_choice, check_clipped_noise_mean, check_posterior_mean, check_psnr_function"""),
    ("markdown", r"""### 연습문제 1 (가): 검은 픽셀은 오염되면 평균이 얼마나 밝아지나

가우스 오염은 $\check x = \mathrm{clip}(x + \sigma\varepsilon,\ 0,\ 1)$, $\varepsilon\sim N(0,1)$입니다. 검은 픽셀($x = 0$)의 오염된 값의 평균
$E[\mathrm{clip}(\sigma\varepsilon, 0, 1)]$을 표준정규분포의 밀도 $\varphi$와 분포함수 $\Phi$로 종이에서 유도하고, $\sigma = 0.5$에서의 값을 답하십시오.
그리고 이 노트북의 `add_gaussian_noise`로 만든 오염된 입력에서 원래 0이던 픽셀들의 평균과 비교하십시오."""),
    ("code", """mean_black = None   # E[clip(0.5 * eps, 0, 1)] from your formula
check_clipped_noise_mean(mean_black, sigma=0.5)"""),
    ("markdown", r"""### 연습문제 2 (나): PSNR 함수

이미지마다 $\mathrm{MSE} = \frac{1}{784}\sum_j (x_j - \hat x_j)^2$, $\mathrm{PSNR} = 10\log_{10}(1/\mathrm{MSE})$ dB를 계산하고,
이미지들에 대해 **평균한 숫자 하나**를 돌려주는 함수를 완성하십시오(최댓값 1.0)."""),
    ("code", """def my_psnr(clean, estimate):
    \"\"\"Mean over images of 10 log10(1 / MSE per image), in dB, for pixel values in [0, 1].\"\"\"
    ...   # your code

check_psnr_function(my_psnr)"""),
    ("markdown", r"""### 연습문제 3 (가): 제곱오차 아래 최선의 오염제거는 사후평균

오염제거기 $g$가 $E\lVert x - g(\check x)\rVert^2$를 최소로 하려면 $g(\check x) = E[x\mid \check x]$여야 함을 종이에서 보이십시오.
그리고 픽셀 하나짜리 모형으로 확인합니다: $x$는 확률 1/2씩 0 또는 1, $\check x = x + 0.5\,\varepsilon$ (자르지 않음).
$\check x = 0.7$을 관측했을 때 $E[x\mid\check x = 0.7]$을 계산해 답하십시오."""),
    ("code", """posterior_mean = None   # E[x | x_check = 0.7]
check_posterior_mean(posterior_mean)"""),
    ("markdown", r"""### 연습문제 4 (다): 한 잡음 수준에서 학습한 DAE를 여러 수준에서

같은 구조의 DAE 두 개를 $\sigma = 0.2$와 $\sigma = 0.8$에서 각각 학습하고(훈련 이미지 10,000장, 몇 에폭이면 됩니다),
시험 이미지 1,000장으로 $\sigma = 0.1, 0.2, \dots, 0.9$에서의 평균 PSNR을 재어 한 그림에 그리십시오.

어느 것이 맞습니까? (a) 두 곡선이 교차한다: 각 DAE는 자기가 학습한 $\sigma$ 근처에서 다른 DAE보다 낫다.
(b) 두 곡선이 교차하지 않는다: 한 DAE가 모든 $\sigma$에서 낫다. 답한 뒤, 가장 약한 잡음($\sigma = 0.1$)에서 DAE의 출력이
오염된 입력 자체보다 PSNR이 높은지도 보십시오."""),
    ("code", """# your experiment here: two denoising autoencoders, trained at sigma = 0.2 and sigma = 0.8
answer_4 = None   # "a" or "b"
check_choice("03-4", answer_4)"""),
]

# --------------------------------------------------------------------------- 04
LESSONS["04"] = [
    ("markdown", INTRO.format(lead="KL 발산의 닫힌 꼴, 선형-가우스 모형의 ELBO 간격, 중요도 샘플링의 $K$, 그리고 추론 손실을 끈 VAE를 다룹니다.")),
    ("code", """from utils.exercises import check_choice, check_elbo_gap, check_kl_diag_function, check_kl_number, check_logmeanexp"""),
    ("markdown", r"""### 연습문제 1 (가, 나): 두 정규분포 사이의 KL

1. $KL\big(N(m_q, s_q^2)\,\|\,N(m_p, s_p^2)\big) = \log\frac{s_p}{s_q} + \frac{s_q^2 + (m_q - m_p)^2}{2 s_p^2} - \frac12$을 정의
   $E_q[\log q(z) - \log p(z)]$에서 종이로 유도하고, $q = N(1, 0.5^2)$, $p = N(-1, 2^2)$일 때의 값을 답하십시오.
2. 좌표가 독립인 $p$차원 정규분포 둘(평균 `mu`, 로그분산 `log_var`, 모양 `(n, p)`) 사이의 KL을 행마다 하나씩 돌려주는 함수를 완성하십시오.
   사전분포가 $N(0, I)$이면 노트북의 추론 손실과 같아야 합니다."""),
    ("code", """kl_value = None   # KL(N(1, 0.5^2) || N(-1, 2^2)), worked out on paper
check_kl_number(kl_value)"""),
    ("code", """def kl_diagonal(mu_q, log_var_q, mu_p, log_var_p):
    \"\"\"KL(N(mu_q, diag exp(log_var_q)) || N(mu_p, diag exp(log_var_p))), one value per row.\"\"\"
    ...   # your code

check_kl_diag_function(kl_diagonal)"""),
    ("markdown", r"""### 연습문제 2 (가): 선형-가우스 모형에서 대각 $q$의 ELBO 간격

4절의 선형-가우스 모형 $z\sim N(0, I_p)$, $x\mid z\sim N(Wz + b, s^2 I_k)$에서 참 사후분포는 $N(m_{post}, \Lambda^{-1})$,
$\Lambda = I_p + W^\top W / s^2$입니다. 가장 좋은 대각 $q = N\big(m_{post}, \operatorname{diag}(1/\Lambda_{jj})\big)$의 간격
$\log p(x) - \text{ELBO} = KL(q\,\|\,p(z\mid x))$이
$$\tfrac12\Big(\sum_j \log\Lambda_{jj} - \log\det\Lambda\Big)$$
임을 종이에서 보이고($x$와 무관합니다!), $p = 2$이면 $-\tfrac12\log(1-\rho^2)$ ($\rho$: 사후분포의 상관계수)가 됨을 확인하십시오.
아래 셀이 4절과 같은 모형($p = 2$, $k = 5$, $s = 0.5$)을 다시 만듭니다. 간격을 계산해 답하십시오."""),
    ("code", """rng_ex = np.random.default_rng(4)
p_ex, k_ex, s_ex = 2, 5, 0.5
W_ex, b_ex = rng_ex.normal(size=(k_ex, p_ex)), rng_ex.normal(size=k_ex)   # the model of section 4
elbo_gap = None   # log p(x) - ELBO of the best diagonal q
check_elbo_gap(elbo_gap, W_ex, s_ex)"""),
    ("markdown", r"""### 연습문제 3 (나, 다): 중요도 샘플링의 $K$

$\log p(x)\approx \log\frac1K\sum_{i=1}^K w_i$의 계산에는 $\log w_i$가 $-100$보다 훨씬 작아 `np.exp`가 0으로 사라지는 문제가 있습니다.
1. 넘침·아래넘침 없이 $\log\big(\mathrm{mean}(e^{a})\big)$를 계산하는 함수를 완성하십시오.
2. 작은 VAE($p = 2$)를 잠깐 학습하고, 시험 이미지 몇 장에서 $K = 1, 10, 100, 1000$마다 추정을 여러 번 되풀이해(`importance_sampled_log_likelihood`의 `seed`를 바꿔)
   추정값의 평균과 표준편차를 재십시오.

$K$가 커지면 추정값의 평균은 (a) 올라간다 (b) 내려간다 (c) 그대로이다. 추정값의 표준편차는 (a) 커진다 (b) 작아진다 (c) 그대로이다."""),
    ("code", """def log_mean_exp(a, axis):
    \"\"\"log(mean(exp(a), axis)) without overflow or underflow.\"\"\"
    ...   # your code

check_logmeanexp(log_mean_exp)"""),
    ("code", """# your experiment here: IS estimates of log p(x) for K = 1, 10, 100, 1000, repeated with different seeds
answer_mean, answer_spread = None, None   # "a", "b" or "c" each
check_choice("04-3a", answer_mean)
check_choice("04-3b", answer_spread)"""),
    ("markdown", r"""### 연습문제 4 (다): 추론 손실을 끄면

`VAE`의 손실에서 추론 손실 $KL(q_\phi(z|x)\,\|\,N(0,I))$을 빼고 재생 손실만으로 $p = 2$ 모형을 학습하십시오
(`compute_loss`를 고친 하위 클래스). 같은 설정의 보통 VAE와 나란히, 시험 이미지의 $\mu(x)$ 산점도를 그리고
$\mu(x)$ 좌표의 표준편차, $\sigma(x)$의 중앙값, 사전분포 $N(0, I)$에서 뽑은 $z$를 디코딩한 그림을 비교하십시오.

어느 것이 맞습니까? (a) 두 모형의 $\mu(x)$ 산점도와 $\sigma(x)$가 비슷하다. (b) 추론 손실이 없으면 $\sigma(x)$가 0 쪽으로 줄고
$\mu(x)$의 흩어짐이 $N(0, I)$와 맞지 않게 되어, 사전분포 표본을 디코딩한 그림이 나빠진다. (c) 추론 손실이 없으면 $\mu(x)$가 모두 0 근처에 모인다."""),
    ("code", """# your experiment here: the same VAE with and without the inference loss
answer_4 = None   # "a", "b" or "c"
check_choice("04-4", answer_4)"""),
]

# --------------------------------------------------------------------------- 05
LESSONS["05"] = [
    ("markdown", INTRO.format(lead="추론 손실(전송률 $R$)의 계산, $\\beta$가 근사 사후분포에 하는 일, 좌표별 추론 손실과 활성 단위를 손과 코드로 다시 다룹니다.")),
    ("code", """from utils.exercises import (check_active_count_function, check_beta_variance, check_choice,
                             check_kl_per_unit_function, check_rate_number)"""),
    ("markdown", r"""### 연습문제 1 (가): 조건부 VAE의 추론 손실과 전송률 $R$

1. 사전분포가 $p(z\mid y) = p(z) = N(0, I)$이면 조건부 ELBO의 추론 손실 $KL\big(q_\phi(z\mid x,y)\,\|\,N(0,I)\big)$은 04의 닫힌 꼴에
   $\mu(x,y)$, $\sigma^2(x,y)$를 넣은 것과 같음을 보이십시오. 특히 인코더가 $y$를 무시하면($q_\phi(z\mid x,y) = q_\phi(z\mid x)$) 04의 추론 손실과 똑같습니다.
2. 어떤 이미지와 레이블에서 인코더가 $p = 4$인
   $\mu = (1.5,\ -0.5,\ 0,\ 0)$, $\log\sigma^2 = (-2,\ -0.5,\ 0.4,\ 0)$을 냈습니다. 전송률 $R$을 나트(nats)로 계산해 답하십시오.
   네 좌표 가운데 $R$에 아무것도 보태지 않는 좌표는 어느 것입니까?"""),
    ("code", """rate = None   # R = KL(q(z|x, y) || N(0, I)) in nats, worked out on paper
check_rate_number(rate)"""),
    ("markdown", r"""### 연습문제 2 (가): $\beta$는 근사 사후분포를 사전분포 쪽으로 민다

잠재변수 하나짜리 선형-가우스 모형 $z\sim N(0,1)$, $x\mid z\sim N(wz, s^2)$에서 디코더를 고정하고, $q(z\mid x) = N(m, v)$를
$L_\beta = -E_q[\log p(x\mid z)] + \beta\,KL\big(q\,\|\,N(0,1)\big)$이 가장 작도록 고릅니다.
$E_q[(x - wz)^2] = (x - wm)^2 + w^2 v$를 써서 $L_\beta$를 $m$과 $v$로 적고, 가장 좋은 $v$가 $x$와 무관하게
$$v^\ast = \frac{\beta s^2}{\beta s^2 + w^2}$$
임을 보이십시오($m^\ast$도 구해 보십시오). $w = 3$, $s = 1$, $\beta = 4$일 때 $v^\ast$를 답하십시오.
$\beta = 1$이면 $v^\ast$는 무엇이고, $\beta\to\infty$이면 $q$는 어디로 갑니까?"""),
    ("code", """v_best = None   # the variance of the best q at w = 3, s = 1, beta = 4
check_beta_variance(v_best)"""),
    ("markdown", r"""### 연습문제 3 (나): 좌표별 추론 손실

인코더의 출력 `mu`, `log_var`(모양 `(n, p)`)에서 좌표 $j$마다 추론 손실의 평균
$\tfrac1n\sum_i \tfrac12\big(\mu_{ij}^2 + \sigma_{ij}^2 - 1 - \log\sigma_{ij}^2\big)$을 돌려주는 함수를 완성하십시오(모양 `(p,)`, 단위 나트).
$p$개 값을 더하면 6절 표의 전송률 $R$이고, 0에 가까운 좌표가 붕괴한 좌표입니다."""),
    ("code", """def kl_of_each_unit(mu, log_var):
    \"\"\"Mean over the images of each latent unit's KL to N(0, 1), in nats, shape (p,).\"\"\"
    ...   # your code

check_kl_per_unit_function(kl_of_each_unit)"""),
    ("markdown", r"""### 연습문제 4 (나): 활성 단위 세기

테스트 이미지들의 인코더 평균 `mu`(모양 `(n, p)`)에서 $\operatorname{Var}_x\mu_j(x)$가 `threshold`보다 큰 좌표의 수를 돌려주는 함수를 완성하십시오
(`active_units`를 쓰지 말고). 6절의 $\beta = 4$ 모형에 적용해 문턱값 0.01에서 표와 같은 수가 나오는지 보십시오."""),
    ("code", """def count_active(mu, threshold):
    \"\"\"Number of latent units j whose encoder mean varies over the images: Var_x(mu_j(x)) > threshold.\"\"\"
    ...   # your code

check_active_count_function(count_active)"""),
    ("markdown", r"""### 연습문제 5 (가, 다): 문턱값을 바꾸면 활성 단위의 수는?

1. $\sigma^2 - 1 - \log\sigma^2 \ge 0$과 $E_x[\mu_j^2] \ge \operatorname{Var}_x\mu_j$에서, 좌표 $j$의 평균 추론 손실이
   $KL_j \ge \tfrac12\operatorname{Var}_x\mu_j(x)$임을 보이십시오.
2. 6절의 $\beta = 4$ 모형에서 문턱값 $t = 0.001,\ 0.003,\ 0.01,\ 0.03,\ 0.1$마다 활성 단위의 수(연습문제 4)와, 활성인 좌표들의 $KL_j$(연습문제 3) 가운데 가장 작은 값을 재십시오.
   정렬한 분산 $\operatorname{Var}_x\mu_j$를 로그 눈금으로 그려, 활성과 붕괴 사이에 뚜렷한 틈이 있는지도 보십시오.

문턱값 $t$에서 활성인 좌표는 어느 모형에서나 적어도 얼마의 추론 손실을 싣습니까? (a) $t$ 나트 (b) $t/2$ 나트 (c) 아무것도 보장되지 않는다."""),
    ("code", """# your measurement here: counts and the smallest KL of an active unit at each threshold, for the beta = 4 model
answer_5 = None   # "a", "b" or "c"
check_choice("05-5", answer_5)"""),
]

# --------------------------------------------------------------------------- 06
LESSONS["06"] = [
    ("markdown", INTRO.format(lead="흑백 기준선의 PSNR, AUC의 두 가지 계산, 오경보율에 맞춘 문턱값, 그리고 어떤 숫자가 가장 가려내기 어려운지를 다룹니다.")),
    ("code", """from utils.exercises import (check_auc_function, check_choice, check_gray_psnr,
                             check_threshold_function)"""),
    ("markdown", r"""### 연습문제 1 (가): 흑백 기준선의 PSNR

흑백 버전은 $L$을 그대로 두고 색도를 $a = b = 0$으로 둔 사진입니다. 시험 사진 `photos.test[0]`(고양이)과 그 흑백 버전(`gray_version`) 사이의
제곱오차를 RGB(0–1 척도)의 모든 픽셀과 세 채널에 대해 평균해 MSE를 구하고, $\mathrm{PSNR} = 10\log_{10}(1/\mathrm{MSE})$ dB를 답하십시오.
흑백 버전의 오차가 모두 색도에서 온다는 것은 무슨 뜻입니까? 사진의 색이 진할수록 이 PSNR은 어떻게 됩니까?"""),
    ("code", """psnr_gray = None   # PSNR (dB) of gray_version(photos.test[:1])[0] against photos.test[0], from its MSE
check_gray_psnr(psnr_gray, photos.test[0])"""),
    ("markdown", r"""### 연습문제 2 (가, 나): AUC를 쌍을 세어 계산하기

1. 정상 점수 $n_0$개와 이상 점수 $n_1$개로 그린 ROC 곡선(계단 모양, 점수가 같은 곳은 대각선)의 사다리꼴 넓이가
   $\frac{1}{n_0 n_1}\sum_{i,j}\big(\mathbf 1[s^{out}_j > s^{in}_i] + \tfrac12\mathbf 1[s^{out}_j = s^{in}_i]\big)$과 같음을 보이십시오
   (문턱값을 내릴 때 곡선이 한 칸 오른쪽으로 갈 때마다 쌓이는 넓이를 생각하십시오).
2. 모든 쌍을 세어 AUC를 돌려주는 함수를 완성하십시오(넘파이 브로드캐스팅으로 $n_0\times n_1$ 비교). 그다음 이 노트북의 점수로
   `auc`의 값, 그리고 문턱값을 모든 점수로 바꿔 가며 얻은 (FPR, TPR)의 사다리꼴 넓이(`np.trapezoid`)와 비교하십시오."""),
    ("code", """def auc_by_pairs(inlier_scores, outlier_scores):
    \"\"\"P(S_out > S_in) + P(S_out = S_in) / 2 over every (inlier, outlier) pair.\"\"\"
    ...   # your code

check_auc_function(auc_by_pairs)"""),
    ("markdown", r"""### 연습문제 3 (나): 오경보율 $\alpha$에 맞춘 문턱값

정상 점수만 보고, 정상의 비율 $\alpha$만 문턱값 위에 놓이도록 문턱값을 돌려주는 함수를 완성하십시오(`threshold_at_false_alarm`을 쓰지 말고).
점수 분포는 오른쪽으로 치우쳐 있습니다."""),
    ("code", """def threshold_for(inlier_scores, alpha):
    \"\"\"A threshold with a share alpha of the inlier scores above it.\"\"\"
    ...   # your code

check_threshold_function(threshold_for)"""),
    ("markdown", r"""### 연습문제 4 (다): 보정 자료가 다른 집단에서 오면

학습이 필요 없는 점수인 잉크 양(픽셀 값의 합)을 정상 시험 이미지(`HOLDOUT_DIGIT`이 아닌 MNIST 시험 숫자, 파일 순서 그대로)에 대해 계산합니다.
이번에는 파일 순서의 **뒤** 절반으로 정상 점수의 95번째 백분위수를 문턱값으로 정하고, **앞** 절반에서 오경보율을 재십시오.
무작위로 나눈 절반들로 같은 일을 몇 번(시드를 바꿔) 되풀이한 값과 비교하십시오.

앞 절반에서 잰 오경보율은? (a) 5 % 근처 (b) 5 %보다 뚜렷이 크다 (c) 5 %보다 뚜렷이 작다."""),
    ("code", """# your measurement here: ink scores, threshold from the second half in file order, false alarms on the first half
answer_4 = None   # "a", "b" or "c"
check_choice("06-4", answer_4)"""),
    ("markdown", r"""### 연습문제 5 (다): 어떤 숫자가 가장 가려내기 어려운가

숫자 $d = 0, \dots, 9$마다 $d$를 뺀 훈련 이미지(처음 5,000장 가운데)로 PCA($p = 16$)를 적합하고, 재생 오차를 점수로 하여
MNIST 시험 이미지에서 $d$(이상)와 나머지 숫자(정상)를 가르는 AUC를 재십시오. 열 개의 PCA는 몇 초면 됩니다
(`fit_pca`, 또는 공분산 행렬의 `np.linalg.eigh`). 잉크 양의 AUC도 함께 보십시오.

학습에서 뺐을 때 AUC가 가장 낮은 숫자는 무엇입니까? 숫자 하나로 답하고, 그 AUC가 0.5보다 작은지와 그 까닭도 적으십시오."""),
    ("code", """# your experiment here: ten PCAs with p = 16, each without one digit
answer_5 = None   # a digit, e.g. "7"
check_choice("06-5", answer_5)"""),
]


# --------------------------------------------------------------------------- the command
def section_cells(number: str) -> list:
    """The exercise section of lesson ``number`` ("01".."06") as new nbformat cells, tagged ``exercises``."""
    if number not in LESSONS:
        raise ValueError(f"number is {number!r}; expected one of {sorted(LESSONS)}")
    cells = []
    for i, (kind, source) in enumerate(LESSONS[number]):
        make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        cell = make(source, metadata={"tags": [TAG]})
        cell["id"] = f"exercise-{number}-{i:02d}"
        cells.append(cell)
    return cells


def section_start(nb) -> int:
    """Index of the first cell of the exercise section, or len(cells) when there is none."""
    for i, cell in enumerate(nb.cells):
        if TAG in cell.get("metadata", {}).get("tags", []):
            return i
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith(TITLE):
            return i
    return len(nb.cells)


def _comparable(cells) -> list:
    return [(c.cell_type, c.source) for c in cells]


def with_section(nb, number: str):
    """A copy of ``nb`` whose cells end with the exercise section of lesson ``number``."""
    new = nbformat.from_dict(nb)
    start = section_start(new)
    cells = section_cells(number)
    if new.get("nbformat_minor", 0) < 5:        # nbformat 4.4 and older have no cell ids
        for cell in cells:
            cell.pop("id", None)
    new.cells = new.cells[:start] + cells
    return new


def lesson_paths(folder: Path) -> dict[str, Path]:
    """The lessons 01-06 in ``folder``, by number; a missing one is an error naming the folder."""
    found = {}
    for number in LESSONS:
        matches = sorted(folder.glob(f"{number}_*.ipynb"))
        if len(matches) != 1:
            raise FileNotFoundError(f"{folder}: expected one notebook {number}_*.ipynb, found {len(matches)}")
        found[number] = matches[0]
    return found


def _write_atomic(nb, path: Path) -> None:
    text = nbformat.writes(nb)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text if text.endswith("\n") else text + "\n")
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def insert(folder: Path) -> list[str]:
    """Append or replace the exercise section in every lesson of ``folder``; return what changed."""
    changed = []
    for number, path in lesson_paths(folder).items():
        nb = nbformat.read(path, as_version=4)
        new = with_section(nb, number)
        if _comparable(new.cells) != _comparable(nb.cells):
            _write_atomic(new, path)
            changed.append(path.name)
    return changed


def check(folder: Path) -> list[str]:
    """Names of the lessons whose exercise section differs from this file."""
    stale = []
    for number, path in lesson_paths(folder).items():
        nb = nbformat.read(path, as_version=4)
        start = section_start(nb)
        if _comparable(nb.cells[start:]) != _comparable(section_cells(number)):
            stale.append(path.name)
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.exercises", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("insert", "check"))
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks",
                        help="folder holding 01_*.ipynb .. 06_*.ipynb (default: the repository's notebooks/)")
    args = parser.parse_args(argv)
    if not args.notebooks.is_dir():
        parser.error(f"--notebooks {args.notebooks} is not a folder")
    if args.command == "insert":
        changed = insert(args.notebooks)
        print("exercise sections written: " + (", ".join(changed) if changed else "none (already up to date)"))
        return 0
    stale = check(args.notebooks)
    print("exercise sections out of date: " + ", ".join(stale) if stale else "exercise sections up to date")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
